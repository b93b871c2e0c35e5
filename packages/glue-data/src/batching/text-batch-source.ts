import { Rng, type BatchSource, type TextBatch } from "@aflora/core";
import { exampleLength, type EncodedDataset } from "../encode/encoded-dataset.js";
import { collate } from "./collate.js";

export interface TextBatchSourceOptions {
  batchSize: number;
  padTokenId: number;
  /** Seed of the shuffle; epoch e draws from `new Rng(seed).fork("epoch:" + e)`. */
  seed: number;
  /** Default true (training); false keeps file order. */
  shuffle?: boolean;
  /** Pad every batch to this length instead of the batch's longest example (`pad_to_max_length`). */
  padToMaxLength?: number;
  /** Batches of similar length (HF's LengthGroupedSampler): less padding, same examples per epoch. */
  groupByLength?: boolean;
}

/** Training batches of a packed dataset; the last batch may be smaller (drop_last = false). */
export class TextBatchSource implements BatchSource<TextBatch> {
  readonly batchesPerEpoch: number;

  constructor(
    readonly data: EncodedDataset,
    private readonly options: TextBatchSourceOptions,
  ) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1)
      throw new Error(`batchSize: expected a positive integer, got ${options.batchSize}`);
    if (data.size === 0) throw new Error("TextBatchSource: the dataset has no examples");
    this.batchesPerEpoch = Math.ceil(data.size / options.batchSize);
  }

  /** The example indices of every batch of an epoch, in order. */
  epochIndices(epoch: number): Int32Array[] {
    const { batchSize, seed, shuffle = true, groupByLength = false } = this.options;
    const order = Array.from({ length: this.data.size }, (_, i) => i);
    const rng = new Rng(seed).fork(`epoch:${epoch}`);
    if (shuffle) rng.shuffle(order);
    if (groupByLength) return lengthGroupedBatches(order, batchSize, (i) => exampleLength(this.data, i));
    const batches: Int32Array[] = [];
    for (let s = 0; s < order.length; s += batchSize) batches.push(Int32Array.from(order.slice(s, s + batchSize)));
    return batches;
  }

  *epoch(epoch: number): Iterable<TextBatch> {
    for (const indices of this.epochIndices(epoch)) {
      yield collate(this.data, indices, this.options.padTokenId, this.options.padToMaxLength);
    }
  }
}

/**
 * HF's `get_length_grouped_indices`: split the shuffled order into mega-batches of 50 batches,
 * sort each by length (longest first), cut into batches, and move the batch holding the
 * longest example to the front so an out-of-memory shows up on the first step.
 */
export function lengthGroupedBatches(order: number[], batchSize: number, length: (i: number) => number): Int32Array[] {
  const mega = batchSize * 50;
  const batches: Int32Array[] = [];
  for (let s = 0; s < order.length; s += mega) {
    const group = order.slice(s, s + mega).sort((a, b) => length(b) - length(a));
    for (let t = 0; t < group.length; t += batchSize) batches.push(Int32Array.from(group.slice(t, t + batchSize)));
  }
  let longest = 0;
  for (let b = 1; b < batches.length; b++) if (length(batches[b]![0]!) > length(batches[longest]![0]!)) longest = b;
  [batches[0], batches[longest]] = [batches[longest]!, batches[0]!];
  return batches;
}
