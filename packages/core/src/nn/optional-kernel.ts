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
  /**
   * inputs {param, grad, expAvg, expAvgSq} (float32, one shape) → [param′, expAvg′, expAvgSq′]: one
   * AdamW update, bit-identical to AdamW's ops. attrs: variant ("adamw_torch" | "adamw_hf"), the JS
   * numbers the ops turn into float32 scalars — beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps,
   * stepSize (torch: lr/(1−β1ᵗ); hf: lr·√(1−β2ᵗ)/(1−β1ᵗ)), bc2Sqrt (√(1−β2ᵗ)), decayFactor
   * (torch: 1 − lr·wd; hf: lr·wd) — and decay (whether the weight decay applies).
   */
  AdamWStep: "AfloraAdamWStep",
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

/**
 * `optionalKernel` for kernels with several outputs. Unlike the backward kernels, a kernel called
 * here must give the fallback's exact bits (AdamWStep: the weights after every step).
 */
export function optionalKernels(
  name: string,
  inputs: tf.NamedTensorMap,
  fallback: () => tf.Tensor[],
  attrs: tf.NamedAttrMap = {},
): tf.Tensor[] {
  if (!tf.getKernel(name, tf.getBackend())) return fallback();
  return tf.engine().runKernel(name, inputs, attrs) as tf.Tensor[];
}
