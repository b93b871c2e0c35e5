import { IGNORE_INDEX, type TokenizedExample } from "../tokenize/tokenize-example.js";

/**
 * A padded causal-LM batch as @aflora/decoder's model consumes it (its `CausalLMBatch`):
 * row-major [batchSize, seqLength] Int32 arrays; `labels` are NOT shifted (the model shifts),
 * −100 where ignored.
 */
export interface InstructBatch {
  batchSize: number;
  seqLength: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  labels: Int32Array;
  /** Real examples in the batch (all rows are real: batches are never padded with empty rows). */
  examples: number;
}

export interface CollateOptions {
  padTokenId: number;
  /** finetune.py sets `tokenizer.padding_side = "left"`, which DataCollatorForSeq2Seq follows. */
  paddingSide: "left" | "right";
  /** DataCollatorForSeq2Seq(pad_to_multiple_of=8) in finetune.py; 1 pads to the longest row only. */
  padToMultipleOf: number;
}

export const FINETUNE_COLLATE: Omit<CollateOptions, "padTokenId"> = { paddingSide: "left", padToMultipleOf: 8 };

/**
 * Dynamic padding as transformers' DataCollatorForSeq2Seq does it: every row padded to the
 * batch's longest, rounded up to a multiple of `padToMultipleOf`; input ids with the pad id,
 * attention mask with 0, labels with −100, on the tokenizer's padding side.
 */
export function collate(rows: readonly TokenizedExample[], options: CollateOptions): InstructBatch {
  if (rows.length === 0) throw new Error("collate: a batch needs at least one example");
  const m = options.padToMultipleOf;
  if (!Number.isInteger(m) || m < 1) throw new Error(`padToMultipleOf: expected a positive integer, got ${m}`);
  const longest = Math.max(...rows.map((r) => r.inputIds.length));
  const seqLength = Math.ceil(longest / m) * m;
  const n = rows.length * seqLength;
  const inputIds = new Int32Array(n).fill(options.padTokenId);
  const attentionMask = new Int32Array(n);
  const labels = new Int32Array(n).fill(IGNORE_INDEX);
  rows.forEach((r, b) => {
    if (r.labels.length !== r.inputIds.length || r.attentionMask.length !== r.inputIds.length) {
      throw new Error(`collate: example ${b}: input_ids, attention_mask and labels differ in length`);
    }
    const start = b * seqLength + (options.paddingSide === "left" ? seqLength - r.inputIds.length : 0);
    inputIds.set(r.inputIds, start);
    attentionMask.set(r.attentionMask, start);
    labels.set(r.labels, start);
  });
  return { batchSize: rows.length, seqLength, inputIds, attentionMask, labels, examples: rows.length };
}
