/**
 * Position ids from the attention mask, as HF `generate` builds them: `cumsum(mask) − 1`, with
 * padded slots set to 1. Right padding gives 0..n−1 at the real tokens; left padding starts
 * each row's first real token at 0. `past` holds each row's last position when a KV cache
 * already covers earlier columns (the new tokens continue from there).
 */
export function positionIdsFromMask(
  mask: Int32Array,
  batchSize: number,
  seqLength: number,
  past?: Int32Array,
): Int32Array {
  if (mask.length !== batchSize * seqLength)
    throw new Error(`positionIdsFromMask: mask has ${mask.length} values, expected ${batchSize}×${seqLength}`);
  const out = new Int32Array(batchSize * seqLength);
  for (let b = 0; b < batchSize; b++) {
    let count = past ? past[b]! + 1 : 0;
    for (let s = 0; s < seqLength; s++) {
      const i = b * seqLength + s;
      if (mask[i]) out[i] = count++;
      else out[i] = 1;
    }
  }
  return out;
}
