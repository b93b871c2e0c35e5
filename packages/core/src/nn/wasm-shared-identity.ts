import * as tf from "@tensorflow/tfjs-core";

const SHARED = Symbol.for("aflora.wasmSharedIdentity");

type MarkedKernelConfig = tf.KernelConfig & { [SHARED]?: tf.KernelConfig };

interface WasmBackend {
  incRef(dataId: tf.DataId): void;
}

/**
 * TensorFlow.js saves every tensor a gradient needs by cloning it (the Identity kernel),
 * and tfjs-backend-wasm's Identity copies the data, where the cpu backend shares it (tfjs
 * tensors are immutable). Under a gradient tape that copied every saved activation and
 * weight of a step: ~650 copies and twice the activation memory for a small encoder.
 * This Identity shares the data by reference count, as the cpu backend does.
 */
function sharedIdentity(stock: tf.KernelConfig): MarkedKernelConfig {
  return {
    ...stock,
    [SHARED]: stock,
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype === "string") return stock.kernelFunc(args);
      (args.backend as unknown as WasmBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  };
}

/** Makes the wasm backend's Identity (tf.clone, saved tensors) share data instead of copying. Idempotent; false without tfjs-backend-wasm. */
export function installWasmSharedIdentity(): boolean {
  const current = tf.getKernel(tf.Identity, "wasm") as MarkedKernelConfig | undefined;
  if (!current) return false;
  if (current[SHARED]) return true;
  tf.unregisterKernel(tf.Identity, "wasm");
  tf.registerKernel(sharedIdentity(current));
  return true;
}

export function uninstallWasmSharedIdentity(): void {
  const current = tf.getKernel(tf.Identity, "wasm") as MarkedKernelConfig | undefined;
  const stock = current?.[SHARED];
  if (!stock) return;
  tf.unregisterKernel(tf.Identity, "wasm");
  tf.registerKernel(stock);
}
