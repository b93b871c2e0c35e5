/** How many optimizer steps a run makes. */
export interface TrainPlan {
  stepsPerEpoch: number;
  totalSteps: number;
}

/**
 * Optimizer steps per epoch = ceil(micro-batches per epoch / gradient accumulation): the last
 * accumulation of an epoch may hold fewer micro-batches and still makes a step (as recent
 * Hugging Face Trainers do), so no batch is dropped.
 */
export function planRun(o: { batchesPerEpoch: number; epochs: number; gradientAccumulation?: number }): TrainPlan {
  const accum = o.gradientAccumulation ?? 1;
  if (!Number.isInteger(o.batchesPerEpoch) || o.batchesPerEpoch < 1) throw new Error(`train.batchesPerEpoch: expected a positive integer, got ${o.batchesPerEpoch}`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new Error(`epochs: expected a positive integer, got ${o.epochs}`);
  if (!Number.isInteger(accum) || accum < 1) throw new Error(`gradientAccumulation: expected a positive integer, got ${accum}`);
  const stepsPerEpoch = Math.ceil(o.batchesPerEpoch / accum);
  return { stepsPerEpoch, totalSteps: stepsPerEpoch * o.epochs };
}
