import * as tf from "@tensorflow/tfjs-core";
import { BACKEND_NAMES, type BackendName } from "./backend-name.js";
import { NATIVE_HINT, NATIVE_PACKAGE, isNativeModule } from "./backend-native.js";
import { silenceCpuBanner } from "./backend-cpu-banner.js";

/** The packages behind each backend, in the order `auto` tries them. */
const PACKAGES: Record<BackendName, string> = {
  "tensorflow-gpu": "@tensorflow/tfjs-node-gpu",
  tensorflow: "@tensorflow/tfjs-node",
  native: NATIVE_PACKAGE,
  wasm: "@tensorflow/tfjs-backend-wasm",
  cpu: "@tensorflow/tfjs-backend-cpu",
};

/** The name tfjs registers each backend under (both tfjs-node packages register "tensorflow"). */
const TF_NAMES: Record<BackendName, string> = {
  "tensorflow-gpu": "tensorflow",
  tensorflow: "tensorflow",
  native: "native",
  wasm: "wasm",
  cpu: "cpu",
};

export const BACKEND_ENV = "AFLORA_BACKEND";
export const THREADS_ENV = "AFLORA_THREADS";

export interface SelectBackendOptions {
  /** Loads a backend package; tests replace it. Default: `import(name)`. */
  importer?: (pkg: string) => Promise<unknown>;
  /** Environment to read AFLORA_BACKEND and AFLORA_THREADS from. Default: process.env. */
  env?: Record<string, string | undefined>;
  /** BLAS threads for the native backend (else AFLORA_THREADS, else the BLAS's default: all cores). */
  threads?: number;
}

/** What `selectBackendInfo` activated. */
export interface BackendSelection {
  backend: BackendName;
  /** The CBLAS library the native backend loaded (as given to dlopen), else null. */
  blas: string | null;
  /** openblas | blis | mkl | accelerate | cblas, else null. */
  blasVendor: string | null;
  /** Compute threads: the BLAS's for native, 1 for wasm and cpu, 0 where tfjs-node decides. */
  threads: number;
  /** One line on how to get a faster path, when `auto` fell back past native (else absent). */
  hint?: string;
}

let active: BackendName | null = null;
let lastSelection: BackendSelection | null = null;

/** The backend `selectBackend` activated last, or the name of tfjs's current backend. */
export function currentBackendName(): BackendName {
  const tfName = tf.getBackend();
  if (active && TF_NAMES[active] === tfName) return active;
  if (tfName === "native" || tfName === "wasm" || tfName === "cpu") return tfName;
  if (tfName === "tensorflow") return "tensorflow";
  throw new Error(`aflora supports the backends ${BACKEND_NAMES.join(", ")}; TensorFlow.js is running "${tfName}"`);
}

/** What the last `selectBackend`/`selectBackendInfo` call activated (null before the first). */
export function lastBackendSelection(): BackendSelection | null {
  return lastSelection && { ...lastSelection };
}

function parseBackend(value: string, source: string): BackendName | "auto" {
  if (value === "auto" || (BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName | "auto";
  throw new Error(`${source}: unknown backend "${value}"; expected one of auto, ${BACKEND_NAMES.join(", ")}`);
}

function parseThreads(options: SelectBackendOptions, env: Record<string, string | undefined>): number | undefined {
  if (options.threads !== undefined) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new Error(`threads: expected a positive integer, got ${options.threads}`);
    }
    return options.threads;
  }
  const raw = env[THREADS_ENV];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`environment variable ${THREADS_ENV}: expected a positive integer, got "${raw}"`);
  return n;
}

type Attempt = { ok: true; selection: BackendSelection } | { ok: false; why: string };

async function tryBackend(
  name: BackendName,
  importer: (pkg: string) => Promise<unknown>,
  threads: number | undefined,
): Promise<Attempt> {
  let mod: unknown;
  try {
    mod = await importer(PACKAGES[name]);
  } catch (e) {
    return { ok: false, why: `${PACKAGES[name]} could not be loaded (${(e as Error).message.split("\n")[0]})` };
  }
  let blas: string | null = null;
  let blasVendor: string | null = null;
  let nativeThreads = 0;
  if (name === "native") {
    if (!isNativeModule(mod)) return { ok: false, why: `${PACKAGES[name]} has no registerNativeBackend()` };
    try {
      const info = mod.registerNativeBackend(threads === undefined ? {} : { threads });
      blas = info.blas.path;
      blasVendor = info.blas.vendor;
      nativeThreads = info.threads;
    } catch (e) {
      return { ok: false, why: (e as Error).message.split("\n")[0]! };
    }
  }
  try {
    const ok = await tf.setBackend(TF_NAMES[name]);
    if (!ok)
      return {
        ok: false,
        why: `${PACKAGES[name]} loaded but TensorFlow.js could not initialise the "${TF_NAMES[name]}" backend`,
      };
    if (name === "cpu") silenceCpuBanner();
  } catch (e) {
    return { ok: false, why: `${PACKAGES[name]}: ${(e as Error).message.split("\n")[0]}` };
  }
  await tf.ready();
  const threadCount = name === "native" ? nativeThreads : name === "wasm" || name === "cpu" ? 1 : 0;
  return { ok: true, selection: { backend: name, blas, blasVendor, threads: threadCount } };
}

/**
 * Activates a TensorFlow.js backend and says what it used. `auto` tries tfjs-node-gpu, then
 * tfjs-node (optional, usually absent), then native (@aflora/native: wasm with its matmuls on a
 * CBLAS such as OpenBLAS), then wasm, then cpu. An explicit argument (other than `auto`), else the
 * AFLORA_BACKEND environment variable, forces one backend; a forced backend that cannot load is an
 * error saying why. When `auto` passes over native, `hint` says how to get it.
 */
export async function selectBackendInfo(
  preferred: BackendName | "auto" = "auto",
  options: SelectBackendOptions = {},
): Promise<BackendSelection> {
  const importer = options.importer ?? ((pkg: string) => import(pkg));
  const env = options.env ?? process.env;
  const forced = parseBackend(preferred, "backend");
  const fromEnv = env[BACKEND_ENV] ? parseBackend(env[BACKEND_ENV]!, `environment variable ${BACKEND_ENV}`) : "auto";
  const threads = parseThreads(options, env);
  const wanted = forced !== "auto" ? forced : fromEnv;
  const done = (s: BackendSelection) => {
    active = s.backend;
    lastSelection = s;
    return { ...s };
  };
  if (wanted !== "auto") {
    const r = await tryBackend(wanted, importer, threads);
    if (!r.ok) {
      const source = forced !== "auto" ? "argument" : BACKEND_ENV;
      throw new Error(`Backend "${wanted}" was requested (${source}) but is unavailable: ${r.why}`);
    }
    return done(r.selection);
  }
  const failures: string[] = [];
  let nativeFailed = false;
  for (const name of BACKEND_NAMES) {
    const r = await tryBackend(name, importer, threads);
    if (r.ok) return done(nativeFailed ? { ...r.selection, hint: NATIVE_HINT } : r.selection);
    if (name === "native") nativeFailed = true;
    failures.push(r.why);
  }
  throw new Error(`No TensorFlow.js backend could be loaded:\n  ${failures.join("\n  ")}`);
}

/** `selectBackendInfo(...).backend`: the backend's name only (`lastBackendSelection()` has the rest). */
export async function selectBackend(
  preferred: BackendName | "auto" = "auto",
  options: SelectBackendOptions = {},
): Promise<BackendName> {
  return (await selectBackendInfo(preferred, options)).backend;
}

/** The one-line description of a selection, for a progress header: `native (openblas libopenblas.so.0, 2 threads)`. */
export function describeBackend(s: BackendSelection): string {
  if (s.backend === "native")
    return `native (${s.blasVendor} ${s.blas}, ${s.threads} thread${s.threads === 1 ? "" : "s"})`;
  if (s.backend === "wasm" || s.backend === "cpu") return `${s.backend} (1 thread)`;
  return s.backend;
}
