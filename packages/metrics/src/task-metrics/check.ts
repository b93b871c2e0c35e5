/** Receives the warnings a metric gives where scipy or scikit-learn would warn (the value is still returned). */
export type MetricWarn = (message: string) => void;

export interface MetricOptions {
  /** Where warnings go (constant input, an undefined F1); default: nowhere. */
  warn?: MetricWarn;
}

/** Throws one clear error when predictions and labels cannot be compared. */
export function checkPair(predictions: ArrayLike<number>, labels: ArrayLike<number>, metric: string): void {
  if (predictions.length !== labels.length) {
    throw new Error(`${metric}: ${predictions.length} predictions but ${labels.length} labels`);
  }
  if (labels.length === 0) throw new Error(`${metric}: no examples to score`);
}

/** Class ids must be integers: NaN, infinities and fractions are refused (scikit-learn refuses them too). */
export function checkClassIds(predictions: ArrayLike<number>, labels: ArrayLike<number>, metric: string): void {
  checkPair(predictions, labels, metric);
  for (const [name, values] of [
    ["predictions", predictions],
    ["labels", labels],
  ] as const) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isInteger(v)) {
        throw new Error(
          `${metric}: ${name}[${i}] is ${v}; class ids must be integers ` +
            "(a regression task scores with pearson/spearmanr)",
        );
      }
    }
  }
}
