import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "../addon.js";
import { sizeOf, type WasmHeapBackend, heapView } from "./wasm-heap.js";

/**
 * Transpose in C++: swapping the last two axes (explicit `xᵀ`) in cache-sized tiles, any other
 * permutation (head split/merge) by whole rows when the innermost axis stays.
 */
export function transposeKernel(addon: NativeAddon, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { perm } = args.attrs as unknown as tf.TransposeAttrs;
    const r = x.shape.length;
    const swapsLastTwo =
      r >= 2 && perm[r - 1] === r - 2 && perm[r - 2] === r - 1 && perm.slice(0, r - 2).every((p, i) => p === i);
    if (x.dtype !== "float32" || r > 8) return fallback(args);
    const be = args.backend as unknown as WasmHeapBackend;
    const out = be.makeOutput(
      perm.map((p) => x.shape[p]!),
      "float32",
    );
    if (!swapsLastTwo) {
      addon.permute(heapView(be, x), [...x.shape], [...perm], heapView(be, out));
      return out;
    }
    const rows = x.shape[r - 2]!;
    const cols = x.shape[r - 1]!;
    addon.transpose(heapView(be, x), sizeOf(x.shape.slice(0, -2)), rows, cols, heapView(be, out));
    return out;
  };
}

/** Sum over leading axes (bias and λ gradients over the batch rows) as a row-wise accumulation in C++. */
export function sumKernel(addon: NativeAddon, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const r = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < r && axes.every((p, i) => p === i);
    if (x.dtype !== "float32" || !leading) return fallback(args);
    const be = args.backend as unknown as WasmHeapBackend;
    const kept = x.shape.slice(axes.length);
    const out = be.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, "float32");
    addon.sumRows(heapView(be, x), sizeOf(x.shape.slice(0, axes.length)), sizeOf(kept), heapView(be, out));
    return out;
  };
}

/**
 * Identity that shares data by reference count instead of copying (the tape clones every saved
 * tensor; tfjs tensors are immutable, and the cpu backend shares too).
 */
export function identityKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === "string") return fallback(args);
    (args.backend as unknown as WasmHeapBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** Cast to the dtype a tensor already has (tfjs's gradients do this ~150 times a step): shared, not copied. */
export function castKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { dtype } = args.attrs as unknown as tf.CastAttrs;
    if (x.dtype !== dtype || dtype === "string") return fallback(args);
    (args.backend as unknown as WasmHeapBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype };
  };
}
