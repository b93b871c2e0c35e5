import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { DEFAULT_PLUGIN_PACKAGES } from "./plugins.js";

const require = createRequire(import.meta.url);

/** The versions of the aflora packages and of TensorFlow.js a run used, for its config.json. */
export function packageVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["@aflora/cli", ...DEFAULT_PLUGIN_PACKAGES.map((p) => p.name), "@tensorflow/tfjs-core"]) {
    try {
      out[name] = (
        JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string }
      ).version;
    } catch {
      // a package that cannot be resolved from here is left out
    }
  }
  return out;
}
