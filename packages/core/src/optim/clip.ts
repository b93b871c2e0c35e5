import * as tf from "@tensorflow/tfjs-core";

/** Global L2 norm of all gradients together (the norm `torch.nn.utils.clip_grad_norm_` returns). */
export function globalNorm(grads: ReadonlyMap<string, tf.Tensor>): number {
  if (grads.size === 0) return 0;
  const norm = tf.tidy(() => {
    const squares = [...grads.values()].map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(tf.addN(squares));
  });
  const value = norm.dataSync()[0]!;
  norm.dispose();
  return value;
}

/**
 * Scales every gradient in place by `min(1, maxNorm / (norm + 1e-6))` as
 * `torch.nn.utils.clip_grad_norm_` does, replacing (and disposing) the map's tensors when
 * they change. Returns the norm before clipping. `maxNorm` null or ≤ 0 only measures.
 * `knownNorm`: the norm already measured (`globalNorm(grads)`), so it is not computed twice.
 */
export function clipByGlobalNorm(
  grads: Map<string, tf.Tensor>,
  maxNorm: number | null | undefined,
  knownNorm?: number,
): number {
  const norm = knownNorm ?? globalNorm(grads);
  if (maxNorm == null || maxNorm <= 0) return norm;
  const coef = maxNorm / (norm + 1e-6);
  if (coef >= 1) return norm;
  for (const [name, g] of grads) {
    grads.set(
      name,
      tf.tidy(() => tf.mul(g, coef)),
    );
    g.dispose();
  }
  return norm;
}
