import { loadAddon, type NativeAddon } from "./addon.js";

/** The CBLAS the native path runs on. */
export interface BlasInfo {
  /** What dlopen() was given, e.g. "libopenblas.so.0". */
  path: string;
  /** openblas | blis | mkl | accelerate | cblas. */
  vendor: string;
  /** OpenBLAS's build string (openblas_get_config), else "". */
  config: string;
  /** Threads the BLAS runs with now (0: it cannot say, e.g. Accelerate). */
  threads: number;
}

/** Environment variable naming a CBLAS shared library to try first. */
export const BLAS_ENV = "AFLORA_BLAS";

/** The one-line hint printed when no BLAS can be loaded. */
export const NO_BLAS_HINT =
  "install libopenblas0-pthread for the native path (Debian/Ubuntu: apt-get install libopenblas0-pthread)";

/**
 * Candidate libraries in the order they are tried: OpenBLAS (Debian's libopenblas0-pthread first),
 * then BLIS, then MKL, then Accelerate on macOS.
 */
export function blasCandidates(platform: NodeJS.Platform = process.platform, env = process.env): string[] {
  const first = env[BLAS_ENV] ? [env[BLAS_ENV]!] : [];
  if (platform === "darwin") {
    return [
      ...first,
      "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
      "/usr/local/opt/openblas/lib/libopenblas.dylib",
      "libopenblas.dylib",
      "libblis.dylib",
      "/System/Library/Frameworks/Accelerate.framework/Accelerate",
    ];
  }
  const multiarch = process.arch === "arm64" ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
  return [
    ...first,
    `/usr/lib/${multiarch}/openblas-pthread/libopenblas.so.0`,
    "libopenblas.so.0",
    "libopenblas.so",
    `/usr/lib/${multiarch}/blis-pthread/libblis.so.4`,
    "libblis.so.4",
    "libblis.so",
    "libmkl_rt.so.2",
    "libmkl_rt.so",
  ];
}

let loaded: BlasInfo | null = null;

/**
 * Loads the addon and the first CBLAS that answers (see `blasCandidates`); the first success is
 * kept for the process. Throws one line naming what is missing.
 */
export function loadBlas(candidates: string[] = blasCandidates()): BlasInfo {
  if (loaded) return { ...loaded, threads: loadAddon().getThreads() };
  const addon: NativeAddon = loadAddon();
  const r = addon.load(candidates);
  if (!r.path) throw new Error(`@aflora/native: no CBLAS found (${(r.failures ?? []).length} tried); ${NO_BLAS_HINT}`);
  loaded = { path: r.path, vendor: r.vendor ?? "cblas", config: r.config ?? "", threads: r.threads ?? 0 };
  return { ...loaded };
}

/** Sets the BLAS's thread count (where the library allows it); returns the count it reports after. */
export function setBlasThreads(threads: number): number {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads must be a positive integer, got ${threads}`);
  loadBlas();
  return loadAddon().setThreads(threads);
}
