import { loadBlas } from "../src/blas.js";

/**
 * The native tests need the built addon and a CBLAS; without them they fail (never skip) with one
 * line naming what to install.
 */
export function requireNative(): void {
  try {
    loadBlas();
  } catch (e) {
    throw new Error(
      `${(e as Error).message.split("\n")[0]} — the native tests need the Debian package libopenblas0-pthread ` +
        "(apt-get install libopenblas0-pthread) and the addon built (npm rebuild @aflora/native)",
    );
  }
}
