import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "../addon.js";
import { sizeOf, type WasmHeapBackend, heapView } from "./wasm-heap.js";

export const UNARY_OPS = { [tf.Exp]: 0, [tf.Erf]: 1 } as const;
export const BINARY_OPS = { [tf.Add]: 0, [tf.Sub]: 1, [tf.Multiply]: 2, [tf.RealDiv]: 3 } as const;

/** Exp and Erf (softmax, exact GELU) in C++, threaded for large tensors. */
export function unaryKernel(addon: NativeAddon, op: number, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype !== "float32") return fallback(args);
    const be = args.backend as unknown as WasmHeapBackend;
    const out = be.makeOutput([...x.shape], "float32");
    addon.unary(op, heapView(be, x), heapView(be, out));
    return out;
  };
}

/** Whether `shape` broadcasts to `out` as a repeated trailing block (leading 1s ignored). */
function isTrailingBlock(shape: readonly number[], out: readonly number[]): boolean {
  let i = 0;
  while (i < shape.length && shape[i] === 1) i++;
  const core = shape.slice(i);
  const tail = out.slice(out.length - core.length);
  return core.length <= out.length && core.every((d, j) => d === tail[j]);
}

/**
 * Add, Sub, Multiply, RealDiv in C++ when both operands are float32 and each is full size, a
 * scalar, or a trailing block (bias rows, LayerNorm's γ/β); other broadcasts run the wasm kernel.
 */
export function binaryKernel(addon: NativeAddon, op: number, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const a = args.inputs.a as tf.TensorInfo;
    const b = args.inputs.b as tf.TensorInfo;
    if (a.dtype !== "float32" || b.dtype !== "float32") return fallback(args);
    const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (sizeOf(outShape) === 0 || !isTrailingBlock(a.shape, outShape) || !isTrailingBlock(b.shape, outShape))
      return fallback(args);
    const be = args.backend as unknown as WasmHeapBackend;
    const out = be.makeOutput(outShape, "float32");
    addon.binary(op, heapView(be, a), heapView(be, b), heapView(be, out));
    return out;
  };
}
