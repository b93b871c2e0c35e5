import * as tf from "@tensorflow/tfjs-core";

/** float32's lowest value: HF's additive mask value (`torch.finfo(float32).min`). */
export const MASK_VALUE = -3.4028234663852886e38;

/**
 * The additive causal + padding mask [B, 1, S, T] for S new queries after `past` cached keys
 * (T = past + S): key j is visible to query i iff `j ≤ past + i` (bottom-right aligned) and
 * `keyMask[b, j] == 1`. A finite value keeps fully-masked (left-pad) query rows finite.
 */
export function causalMask(keyMask: Int32Array, batchSize: number, seqLength: number, past: number): tf.Tensor4D {
  const total = past + seqLength;
  if (keyMask.length !== batchSize * total)
    throw new Error(`causalMask: key mask has ${keyMask.length} values, expected ${batchSize}×${total}`);
  const out = new Float32Array(batchSize * seqLength * total);
  for (let b = 0; b < batchSize; b++) {
    for (let i = 0; i < seqLength; i++) {
      const row = (b * seqLength + i) * total;
      for (let j = 0; j < total; j++) out[row + j] = j <= past + i && keyMask[b * total + j] ? 0 : MASK_VALUE;
    }
  }
  return tf.tensor4d(out, [batchSize, 1, seqLength, total]);
}
