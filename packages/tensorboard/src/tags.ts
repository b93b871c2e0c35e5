/**
 * Tag names. Those Hugging Face's Trainer writes (TensorBoardCallback) keep its names, so runs of
 * both tools sit in the same TensorBoard charts; aflora's own series live under `aflora/`.
 */
export const TAGS = {
  loss: "train/loss",
  learningRate: "train/learning_rate",
  gradNorm: "train/grad_norm",
  epoch: "train/epoch",
  trainableParameters: "aflora/trainable_parameters",
  frozenMatrices: "aflora/frozen_matrices",
  stepTime: "aflora/step_time_seconds",
  freezingHeatmap: "aflora/freezing_heatmap",
} as const;

/** `eval/<metric>`, as HF writes `eval/accuracy`, `eval/f1`. */
export function evalTag(metric: string): string {
  return `eval/${metric}`;
}

/** `train/learning_rate/<group>` for each optimizer group when there are several. */
export function learningRateGroupTag(group: string): string {
  return `${TAGS.learningRate}/${group}`;
}

/**
 * HF logs the first group's rate as `train/learning_rate`; aflora's adapter group is "default"
 * (the classifier head's groups come first in the record), so that one is "the" learning rate.
 */
export function mainLearningRate(rates: Record<string, number>): number | undefined {
  if ("default" in rates) return rates.default;
  const first = Object.keys(rates)[0];
  return first === undefined ? undefined : rates[first];
}
