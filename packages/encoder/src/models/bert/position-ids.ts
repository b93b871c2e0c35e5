/** BERT/DeBERTa: 0..S−1 in every row, whatever the padding. */
export function absolutePositionIds(batchSize: number, seqLength: number): Int32Array {
  const out = new Int32Array(batchSize * seqLength);
  for (let b = 0; b < batchSize; b++) for (let s = 0; s < seqLength; s++) out[b * seqLength + s] = s;
  return out;
}

/**
 * RoBERTa's `create_position_ids_from_input_ids`: derived from `input_ids != pad_token_id`
 * (not from the attention mask). Real tokens count up from pad+1; pads get pad.
 */
export function robertaPositionIds(
  inputIds: Int32Array,
  batchSize: number,
  seqLength: number,
  padTokenId: number,
): Int32Array {
  const out = new Int32Array(batchSize * seqLength);
  for (let b = 0; b < batchSize; b++) {
    let count = 0;
    for (let s = 0; s < seqLength; s++) {
      const k = b * seqLength + s;
      if (inputIds[k] !== padTokenId) {
        count++;
        out[k] = padTokenId + count;
      } else {
        out[k] = padTokenId;
      }
    }
  }
  return out;
}
