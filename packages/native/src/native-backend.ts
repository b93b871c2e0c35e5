import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { loadAddon } from "./addon.js";
import { loadBlas, setBlasThreads, type BlasInfo } from "./blas.js";
import { batchMatMulKernel } from "./kernels/batch-matmul.js";
import { fusedMatMulKernel } from "./kernels/fused-matmul.js";
import { BINARY_OPS, UNARY_OPS, binaryKernel, unaryKernel } from "./kernels/elementwise.js";
import { GELU_GRAD, LAYER_NORM_GRAD, geluGradKernel, layerNormGradKernel } from "./kernels/fused-grad.js";
import { ADAMW_STEP, adamwStepKernel } from "./kernels/adamw.js";
import { castKernel, identityKernel, sumKernel, transposeKernel } from "./kernels/layout.js";

/** The TensorFlow.js backend name. */
export const NATIVE_BACKEND = "native";

/** Above wasm (2) and cpu (1): tfjs's own `ready()` picks native when it is registered; below tfjs-node (3). */
const PRIORITY = 2.5;

export interface RegisterNativeOptions {
  /** BLAS threads; default: the BLAS's own default (all cores, or OPENBLAS_NUM_THREADS). */
  threads?: number;
  /** Libraries to try instead of `blasCandidates()`. */
  candidates?: string[];
}

export interface NativeBackendInfo {
  backend: typeof NATIVE_BACKEND;
  blas: BlasInfo;
  threads: number;
}

interface Factory {
  factory: () => tf.KernelBackend | Promise<tf.KernelBackend>;
  priority: number;
}
/** The engine fields this module needs (public on the object, not in tfjs's typings). */
interface EngineInternals {
  registryFactory: Record<string, Factory>;
  registry: Record<string, tf.KernelBackend>;
}

const MARK = Symbol.for("aflora.nativeBackend");

/**
 * One BackendWasm serves both "wasm" and "native": the same heap, so tensors move between the two
 * names without copies, and the module-level bindings wasm kernels set up in `setupFunc` always
 * point at the one module. Disposing it twice (once per name) is made harmless.
 */
function shareWasmInstance(engine: EngineInternals): () => Promise<tf.KernelBackend> {
  const wasm = engine.registryFactory.wasm;
  if (!wasm) throw new Error("@aflora/native: @tensorflow/tfjs-backend-wasm did not register the wasm backend");
  const existing = wasm.factory as (() => Promise<tf.KernelBackend>) & { [MARK]?: true };
  if (existing[MARK]) return existing;
  const create = wasm.factory;
  let instance: Promise<tf.KernelBackend> | null = null;
  const shared = Object.assign(
    () =>
      (instance ??= Promise.resolve(engine.registry.wasm ?? create()).then((be) => {
        const dispose = be.dispose.bind(be);
        let disposed = false;
        be.dispose = () => {
          if (disposed) return;
          disposed = true;
          instance = null;
          dispose();
        };
        return be;
      })),
    { [MARK]: true as const },
  );
  wasm.factory = shared;
  return shared;
}

/**
 * Registers every wasm kernel under "native", with the matmuls (and layout kernels) on the CBLAS,
 * and the fused kernels of `@aflora/core`'s `FusedKernels` (backward passes, the AdamW update).
 */
function registerKernels(): void {
  const addon = loadAddon();
  const stock = (name: string) => {
    const k = tf.getKernel(name, "wasm");
    if (!k) throw new Error(`@aflora/native: the wasm backend has no ${name} kernel`);
    return k.kernelFunc;
  };
  const overrides: Record<string, tf.KernelFunc> = {
    [tf.BatchMatMul]: batchMatMulKernel(addon, stock(tf.BatchMatMul)),
    [tf._FusedMatMul]: fusedMatMulKernel(addon, NATIVE_BACKEND, stock(tf._FusedMatMul)),
    [tf.Transpose]: transposeKernel(addon, stock(tf.Transpose)),
    [tf.Sum]: sumKernel(addon, stock(tf.Sum)),
    [tf.Identity]: identityKernel(stock(tf.Identity)),
    [tf.Cast]: castKernel(stock(tf.Cast)),
  };
  for (const [name, op] of Object.entries(UNARY_OPS)) overrides[name] = unaryKernel(addon, op, stock(name));
  for (const [name, op] of Object.entries(BINARY_OPS)) overrides[name] = binaryKernel(addon, op, stock(name));
  for (const config of tf.getKernelsForBackend("wasm")) {
    if (tf.getKernel(config.kernelName, NATIVE_BACKEND)) tf.unregisterKernel(config.kernelName, NATIVE_BACKEND);
    const kernelFunc = overrides[config.kernelName] ?? config.kernelFunc;
    tf.registerKernel({ ...config, backendName: NATIVE_BACKEND, kernelFunc });
  }
  // Fused kernels with no wasm counterpart: core's optionalKernel(s) runs them on "native" only.
  const fused: Record<string, tf.KernelFunc> = {
    [GELU_GRAD]: geluGradKernel(addon),
    [LAYER_NORM_GRAD]: layerNormGradKernel(addon),
    [ADAMW_STEP]: adamwStepKernel(addon),
  };
  for (const [kernelName, kernelFunc] of Object.entries(fused)) {
    if (tf.getKernel(kernelName, NATIVE_BACKEND)) tf.unregisterKernel(kernelName, NATIVE_BACKEND);
    tf.registerKernel({ kernelName, backendName: NATIVE_BACKEND, kernelFunc });
  }
}

let registered: BlasInfo | null = null;

/**
 * Loads the addon and a CBLAS, and registers the TensorFlow.js backend "native": the wasm backend
 * (same instance, same heap, every kernel) with BatchMatMul and _FusedMatMul, forward and backward,
 * transposes included, on the CBLAS. Throws one line when the addon or a BLAS is missing.
 * Idempotent; a later call only changes the thread count.
 */
export function registerNativeBackend(options: RegisterNativeOptions = {}): NativeBackendInfo {
  const blas = registered ?? loadBlas(options.candidates);
  if (!registered) {
    const engine = tf.engine() as unknown as EngineInternals;
    const shared = shareWasmInstance(engine);
    registerKernels();
    if (!engine.registryFactory[NATIVE_BACKEND]) tf.registerBackend(NATIVE_BACKEND, shared, PRIORITY);
    registered = blas;
  }
  // Always set (also to the BLAS's default): the elementwise kernels take the same count.
  const threads = setBlasThreads(options.threads ?? Math.max(1, loadAddon().getThreads()));
  return { backend: NATIVE_BACKEND, blas: { ...blas, threads }, threads };
}

/** Whether `registerNativeBackend` has run in this process. */
export function nativeBackendRegistered(): boolean {
  return registered !== null;
}
