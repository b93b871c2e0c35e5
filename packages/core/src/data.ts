import type { TextBatch, TrainableModel } from "./model.js";

/** Training batches, epoch by epoch. The same seed and epoch give the same batches in the same order. */
export interface BatchSource<B = TextBatch> {
  /** Number of batches (micro-batches) in one epoch. */
  readonly batchesPerEpoch: number;
  epoch(epoch: number): Iterable<B>;
}

/** Evaluates a model on held-out data; `selectionMetric` picks the best checkpoint (greater is better). */
export interface Evaluator<B = TextBatch> {
  readonly selectionMetric: string;
  evaluate(model: TrainableModel<B>): Record<string, number>;
}
