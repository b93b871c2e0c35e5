import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "../addon.js";
import { blasMatMul } from "./batch-matmul.js";
import type { WasmHeapBackend } from "./wasm-heap.js";

interface FusedAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

/** The elementwise kernel each fused activation maps to (run on the same backend, in the wasm heap). */
const ACTIVATION_KERNELS: Record<string, string> = {
  relu: tf.Relu,
  relu6: tf.Relu6,
  elu: tf.Elu,
  sigmoid: tf.Sigmoid,
  leakyrelu: tf.LeakyRelu,
  prelu: tf.Prelu,
};

/**
 * _FusedMatMul (`tf.fused.matMul`): the matmul on the CBLAS, then bias and activation with the
 * backend's own elementwise kernels, in the order tfjs defines (matmul, + bias, activation).
 */
export function fusedMatMulKernel(addon: NativeAddon, backendName: string, fallback: tf.KernelFunc): tf.KernelFunc {
  const run = (kernel: string, inputs: tf.NamedTensorInfoMap, backend: unknown, attrs: tf.NamedAttrMap = {}) =>
    tf
      .getKernel(kernel, backendName)!
      .kernelFunc({ inputs, backend: backend as tf.KernelBackend, attrs }) as tf.TensorInfo;
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as FusedAttrs;
    const activation = attrs.activation ?? "linear";
    if (
      a!.dtype !== "float32" ||
      b!.dtype !== "float32" ||
      (activation !== "linear" && !ACTIVATION_KERNELS[activation])
    ) {
      return fallback(args);
    }
    const be = args.backend as unknown as WasmHeapBackend;
    let y = blasMatMul(addon, be, a!, b!, attrs.transposeA, attrs.transposeB);
    const replace = (next: tf.TensorInfo) => {
      be.disposeData(y.dataId);
      y = next;
    };
    if (bias) replace(run(tf.Add, { a: y, b: bias }, args.backend));
    if (activation === "prelu") replace(run(tf.Prelu, { x: y, alpha: preluActivationWeights! }, args.backend));
    else if (activation === "leakyrelu")
      replace(run(tf.LeakyRelu, { x: y }, args.backend, { alpha: attrs.leakyreluAlpha ?? 0.2 }));
    else if (activation !== "linear") replace(run(ACTIVATION_KERNELS[activation]!, { x: y }, args.backend));
    return y;
  };
}
