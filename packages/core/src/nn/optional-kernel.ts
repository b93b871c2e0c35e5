import * as tf from "@tensorflow/tfjs-core";

/**
 * Names of fused kernels a backend may add (`@aflora/native` registers them); models call them
 * through `optionalKernel`, so every other backend runs the same math as ordinary ops.
 */
export const FusedKernels = {
  /** inputs {dy, x} → dy ⊙ GELU′(x), exact (erf) GELU: Φ(x) + x·φ(x). */
  GeluGrad: "AfloraGeluGrad",
  /**
   * inputs {dy, xhat, rstd, weight}: LayerNorm's input gradient over the last axis,
   * rstd ⊙ (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) with g = dy ⊙ weight; xhat [N, H], rstd [N, 1], weight [H].
   */
  LayerNormGrad: "AfloraLayerNormGrad",
} as const;

/**
 * Runs kernel `name` when the current backend registered one, else `fallback()` — for backward
 * kernels only, where fusion may change float32 summation order but never the forward values.
 */
export function optionalKernel(
  name: string,
  inputs: tf.NamedTensorMap,
  fallback: () => tf.Tensor,
  attrs: tf.NamedAttrMap = {},
): tf.Tensor {
  if (!tf.getKernel(name, tf.getBackend())) return fallback();
  return tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
}
