/** Throws one clear error when predictions and labels cannot be compared. */
export function checkPair(predictions: ArrayLike<number>, labels: ArrayLike<number>, metric: string): void {
  if (predictions.length !== labels.length) {
    throw new Error(`${metric}: ${predictions.length} predictions but ${labels.length} labels`);
  }
  if (labels.length === 0) throw new Error(`${metric}: no examples to score`);
}
