import type { TextBatch } from "@aflora/core";

/** HF's ignore index: label positions that are not trained on (prompt, padding, `<s>`). */
export const IGNORE_INDEX = -100;

/**
 * A padded causal-LM batch: `labels` [B·S] are token ids, -100 where ignored, NOT shifted (the
 * model shifts, as HF does). `positionIds` [B·S] default to `cumsum(attentionMask) − 1`.
 */
export interface CausalLMBatch extends TextBatch {
  labels?: Int32Array;
  positionIds?: Int32Array;
}

/** Rows of the flattened [B·S] logits that predict a label, and their targets (HF's shift). */
export function shiftedTargets(
  labels: Int32Array,
  batchSize: number,
  seqLength: number,
  vocabSize: number,
): { rows: Int32Array; targets: Int32Array } {
  if (labels.length !== batchSize * seqLength) {
    throw new Error(
      `batch.labels: ${labels.length} values, expected batchSize × seqLength = ${batchSize}×${seqLength} token labels`,
    );
  }
  const rows: number[] = [];
  const targets: number[] = [];
  for (let b = 0; b < batchSize; b++) {
    for (let t = 0; t + 1 < seqLength; t++) {
      const label = labels[b * seqLength + t + 1]!;
      if (label === IGNORE_INDEX) continue;
      if (!Number.isInteger(label) || label < 0 || label >= vocabSize) {
        throw new Error(
          `batch.labels[${b}][${t + 1}]: ${label} is neither -100 nor a token id below vocab_size ${vocabSize}`,
        );
      }
      rows.push(b * seqLength + t);
      targets.push(label);
    }
  }
  return { rows: Int32Array.from(rows), targets: Int32Array.from(targets) };
}

export function validateCausalBatch(batch: CausalLMBatch, vocabSize: number): void {
  const n = batch.batchSize * batch.seqLength;
  if (
    !Number.isInteger(batch.batchSize) ||
    batch.batchSize < 1 ||
    !Number.isInteger(batch.seqLength) ||
    batch.seqLength < 1
  ) {
    throw new Error(`batch: batchSize ${batch.batchSize} and seqLength ${batch.seqLength} must be positive integers`);
  }
  if (batch.inputIds.length !== n)
    throw new Error(`batch.inputIds: ${batch.inputIds.length} values, expected ${batch.batchSize}×${batch.seqLength}`);
  if (batch.attentionMask.length !== n)
    throw new Error(`batch.attentionMask: ${batch.attentionMask.length} values, expected ${n}`);
  if (batch.positionIds && batch.positionIds.length !== n)
    throw new Error(`batch.positionIds: ${batch.positionIds.length} values, expected ${n}`);
  for (let i = 0; i < n; i++) {
    const id = batch.inputIds[i]!;
    if (id < 0 || id >= vocabSize)
      throw new Error(
        `batch.inputIds[${Math.floor(i / batch.seqLength)}][${i % batch.seqLength}]: ${id} is outside the vocabulary (${vocabSize})`,
      );
  }
}
