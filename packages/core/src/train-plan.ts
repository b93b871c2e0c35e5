/** How many optimizer steps a run makes. */
export interface TrainPlan {
  stepsPerEpoch: number;
  totalSteps: number;
  /**
   * Epochs the run starts, HF's `num_train_epochs` after `max_steps` (with maxSteps: enough
   * epochs to reach it, the last one partial). RunInfo.epochs must be this.
   */
  numTrainEpochs: number;
}

/**
 * Optimizer steps per epoch = ceil(micro-batches per epoch / gradient accumulation): the last
 * accumulation of an epoch may hold fewer micro-batches and still makes a step (as recent
 * Hugging Face Trainers do), so no batch is dropped. `maxSteps` > 0 is Hugging Face's
 * `max_steps`: it is the number of optimizer steps and the schedule's horizon, and it
 * overrides `epochs` (ceil(maxSteps / stepsPerEpoch) epochs are started).
 */
export function planRun(o: {
  batchesPerEpoch: number;
  epochs: number;
  gradientAccumulation?: number;
  maxSteps?: number | null;
}): TrainPlan {
  const accum = o.gradientAccumulation ?? 1;
  const positive = (field: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${field}: expected a positive integer, got ${v}`);
  };
  positive("train.batchesPerEpoch", o.batchesPerEpoch);
  positive("gradientAccumulation", accum);
  const stepsPerEpoch = Math.ceil(o.batchesPerEpoch / accum);
  const maxSteps = o.maxSteps ?? -1;
  if (maxSteps > 0) {
    positive("maxSteps", maxSteps);
    return { stepsPerEpoch, totalSteps: maxSteps, numTrainEpochs: Math.ceil(maxSteps / stepsPerEpoch) };
  }
  positive("epochs", o.epochs);
  return { stepsPerEpoch, totalSteps: stepsPerEpoch * o.epochs, numTrainEpochs: o.epochs };
}
