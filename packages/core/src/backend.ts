import * as tf from "@tensorflow/tfjs-core";
import { BACKEND_NAMES, type BackendName } from "./backend-name.js";

/** The packages behind each backend, in the order `auto` tries them. */
const PACKAGES: Record<BackendName, string> = {
  "tensorflow-gpu": "@tensorflow/tfjs-node-gpu",
  tensorflow: "@tensorflow/tfjs-node",
  wasm: "@tensorflow/tfjs-backend-wasm",
  cpu: "@tensorflow/tfjs-backend-cpu",
};

/** The name tfjs registers each backend under (both native packages register "tensorflow"). */
const TF_NAMES: Record<BackendName, string> = { "tensorflow-gpu": "tensorflow", tensorflow: "tensorflow", wasm: "wasm", cpu: "cpu" };

export const BACKEND_ENV = "AFLORA_BACKEND";

export interface SelectBackendOptions {
  /** Loads a backend package; tests replace it. Default: `import(name)`. */
  importer?: (pkg: string) => Promise<unknown>;
  /** Environment to read AFLORA_BACKEND from. Default: process.env. */
  env?: Record<string, string | undefined>;
}

let active: BackendName | null = null;

/** The backend `selectBackend` activated last, or the name of tfjs's current backend. */
export function currentBackendName(): BackendName {
  const tfName = tf.getBackend();
  if (active && TF_NAMES[active] === tfName) return active;
  if (tfName === "wasm" || tfName === "cpu") return tfName;
  if (tfName === "tensorflow") return "tensorflow";
  throw new Error(`aflora supports the backends ${BACKEND_NAMES.join(", ")}; TensorFlow.js is running "${tfName}"`);
}

function parseBackend(value: string, source: string): BackendName | "auto" {
  if (value === "auto" || (BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName | "auto";
  throw new Error(`${source}: unknown backend "${value}"; expected one of auto, ${BACKEND_NAMES.join(", ")}`);
}

async function tryBackend(name: BackendName, importer: (pkg: string) => Promise<unknown>): Promise<string | null> {
  try {
    await importer(PACKAGES[name]);
  } catch (e) {
    return `${PACKAGES[name]} could not be loaded (${(e as Error).message.split("\n")[0]})`;
  }
  try {
    const ok = await tf.setBackend(TF_NAMES[name]);
    if (!ok) return `${PACKAGES[name]} loaded but TensorFlow.js could not initialise the "${TF_NAMES[name]}" backend`;
  } catch (e) {
    return `${PACKAGES[name]}: ${(e as Error).message.split("\n")[0]}`;
  }
  await tf.ready();
  return null;
}

/**
 * Activates a TensorFlow.js backend and returns its name. `auto` tries tfjs-node-gpu, then
 * tfjs-node (optional dependencies, usually absent), then wasm, then cpu. An explicit
 * argument (other than `auto`), else the AFLORA_BACKEND environment variable, forces one
 * backend; a forced backend that cannot load is an error saying why.
 */
export async function selectBackend(preferred: BackendName | "auto" = "auto", options: SelectBackendOptions = {}): Promise<BackendName> {
  const importer = options.importer ?? ((pkg: string) => import(pkg));
  const env = options.env ?? process.env;
  const forced = parseBackend(preferred, "backend");
  const fromEnv = env[BACKEND_ENV] ? parseBackend(env[BACKEND_ENV]!, `environment variable ${BACKEND_ENV}`) : "auto";
  const wanted = forced !== "auto" ? forced : fromEnv;
  if (wanted !== "auto") {
    const why = await tryBackend(wanted, importer);
    if (why) throw new Error(`Backend "${wanted}" was requested (${forced !== "auto" ? "argument" : BACKEND_ENV}) but is unavailable: ${why}`);
    active = wanted;
    return wanted;
  }
  const failures: string[] = [];
  for (const name of BACKEND_NAMES) {
    const why = await tryBackend(name, importer);
    if (!why) {
      active = name;
      return name;
    }
    failures.push(why);
  }
  throw new Error(`No TensorFlow.js backend could be loaded:\n  ${failures.join("\n  ")}`);
}
