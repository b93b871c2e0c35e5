import { Rng, type BatchSource } from "@aflora/core";
import type { TokenizedExample } from "../tokenize/tokenize-example.js";
import { collate, type CollateOptions, type InstructBatch } from "./collate.js";

export interface InstructBatchSourceOptions extends CollateOptions {
  batchSize: number;
  /** Seed of the shuffle; epoch e draws from `new Rng(seed).fork("epoch:" + e)`. */
  seed: number;
  /** Default true (HF Trainer's RandomSampler). */
  shuffle?: boolean;
}

/** Training batches of tokenized examples, shuffled per epoch, dynamically padded; the last batch may be smaller. */
export class InstructBatchSource implements BatchSource<InstructBatch> {
  readonly batchesPerEpoch: number;

  constructor(
    readonly examples: readonly TokenizedExample[],
    private readonly options: InstructBatchSourceOptions,
  ) {
    if (examples.length === 0) throw new Error("InstructBatchSource: no training examples");
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1)
      throw new Error(`batchSize: expected a positive integer, got ${options.batchSize}`);
    this.batchesPerEpoch = Math.ceil(examples.length / options.batchSize);
  }

  /** The example indices of every batch of an epoch, in order. */
  epochIndices(epoch: number): number[][] {
    const order = this.examples.map((_, i) => i);
    if (this.options.shuffle ?? true) new Rng(this.options.seed).fork(`epoch:${epoch}`).shuffle(order);
    const out: number[][] = [];
    for (let i = 0; i < order.length; i += this.options.batchSize) out.push(order.slice(i, i + this.options.batchSize));
    return out;
  }

  *epoch(epoch: number): Iterable<InstructBatch> {
    for (const indices of this.epochIndices(epoch))
      yield collate(
        indices.map((i) => this.examples[i]!),
        this.options,
      );
  }
}
