import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "../addon.js";
import { sizeOf, type WasmHeapBackend, heapView } from "./wasm-heap.js";

/** The kernel names of `@aflora/core`'s `FusedKernels` (this package does not depend on core). */
export const GELU_GRAD = "AfloraGeluGrad";
export const LAYER_NORM_GRAD = "AfloraLayerNormGrad";

function requireFloat32(name: string, inputs: Record<string, tf.TensorInfo>): void {
  for (const [key, t] of Object.entries(inputs)) {
    if (!t) throw new Error(`${name}: input ${key} is missing`);
    if (t.dtype !== "float32") throw new Error(`${name}: ${key} must be float32, got ${t.dtype}`);
  }
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** inputs {dy, x} → dy ⊙ (Φ(x) + x·φ(x)), one threaded C++ pass. */
export function geluGradKernel(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { dy, x } = args.inputs as Record<string, tf.TensorInfo>;
    requireFloat32(GELU_GRAD, { dy: dy!, x: x! });
    if (!sameShape(dy!.shape, x!.shape))
      throw new Error(`${GELU_GRAD}: dy [${dy!.shape}] and x [${x!.shape}] differ in shape`);
    const be = args.backend as unknown as WasmHeapBackend;
    const out = be.makeOutput([...x!.shape], "float32");
    addon.geluGrad(heapView(be, dy!), heapView(be, x!), heapView(be, out));
    return out;
  };
}

/**
 * inputs {dy, xhat, rstd, weight} → LayerNorm's input gradient over the last axis; dy and xhat
 * [..., H], rstd [..., 1], weight [H]. Rows are split across the threads.
 */
export function layerNormGradKernel(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { dy, xhat, rstd, weight } = args.inputs as Record<string, tf.TensorInfo>;
    requireFloat32(LAYER_NORM_GRAD, { dy: dy!, xhat: xhat!, rstd: rstd!, weight: weight! });
    const h = dy!.shape[dy!.shape.length - 1] ?? 1;
    const rows = h === 0 ? 0 : sizeOf(dy!.shape) / h;
    if (
      dy!.shape.length < 1 ||
      !sameShape(dy!.shape, xhat!.shape) ||
      sizeOf(rstd!.shape) !== rows ||
      sizeOf(weight!.shape) !== h
    )
      throw new Error(
        `${LAYER_NORM_GRAD}: expected dy and xhat [..., H], rstd [..., 1], weight [H]; got dy [${dy!.shape}], ` +
          `xhat [${xhat!.shape}], rstd [${rstd!.shape}], weight [${weight!.shape}]`,
      );
    const be = args.backend as unknown as WasmHeapBackend;
    const out = be.makeOutput([...dy!.shape], "float32");
    if (rows === 0 || h === 0) return out;
    addon.layerNormGrad(
      heapView(be, dy!),
      heapView(be, xhat!),
      heapView(be, rstd!),
      heapView(be, weight!),
      rows,
      h,
      heapView(be, out),
    );
    return out;
  };
}
