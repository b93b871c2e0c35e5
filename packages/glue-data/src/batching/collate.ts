import type { TextBatch } from "@aflora/core";
import { exampleLength, type EncodedDataset } from "../encode/encoded-dataset.js";

/**
 * Pads the examples `indices` into one TextBatch: to the longest example in the batch
 * (dynamic padding), or to `padTo` when given (the authors' `pad_to_max_length`).
 */
export function collate(
  data: EncodedDataset,
  indices: ArrayLike<number>,
  padTokenId: number,
  padTo?: number,
): TextBatch {
  const batchSize = indices.length;
  let seqLength = 0;
  for (let k = 0; k < batchSize; k++) seqLength = Math.max(seqLength, exampleLength(data, indices[k]!));
  if (padTo !== undefined) {
    if (seqLength > padTo) throw new Error(`collate: example of ${seqLength} tokens is longer than padTo ${padTo}`);
    seqLength = padTo;
  }
  const inputIds = new Int32Array(batchSize * seqLength).fill(padTokenId);
  const attentionMask = new Int32Array(batchSize * seqLength);
  const tokenTypeIds = data.tokenTypeIds ? new Int32Array(batchSize * seqLength) : undefined;
  const labels = data.labels instanceof Float32Array ? new Float32Array(batchSize) : new Int32Array(batchSize);
  for (let k = 0; k < batchSize; k++) {
    const i = indices[k]!;
    const start = data.offsets[i]!;
    const len = data.offsets[i + 1]! - start;
    const row = k * seqLength;
    inputIds.set(data.inputIds.subarray(start, start + len), row);
    attentionMask.fill(1, row, row + len);
    if (tokenTypeIds) tokenTypeIds.set(data.tokenTypeIds!.subarray(start, start + len), row);
    labels[k] = data.labels[i]!;
  }
  return {
    batchSize,
    seqLength,
    inputIds,
    attentionMask,
    ...(tokenTypeIds ? { tokenTypeIds } : {}),
    labels,
    examples: batchSize,
  };
}
