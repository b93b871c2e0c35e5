import { checkPair } from "./check.js";

/** Fraction of predictions equal to the label. */
export function accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPair(predictions, labels, "accuracy");
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) hits++;
  return hits / labels.length;
}

/**
 * Binary F1 of the positive class 1 (scikit-learn `f1_score` with `pos_label=1`).
 * With no positive label and no positive prediction F1 is undefined; like scikit-learn's
 * default `zero_division` it is reported as 0.
 */
export function f1(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPair(predictions, labels, "f1");
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = predictions[i] === 1;
    const t = labels[i] === 1;
    if (p && t) tp++;
    else if (p) fp++;
    else if (t) fn++;
  }
  const denominator = 2 * tp + fp + fn;
  return denominator === 0 ? 0 : (2 * tp) / denominator;
}

/**
 * Matthews correlation coefficient for any number of classes (the multiclass form of
 * scikit-learn's `matthews_corrcoef`, equal to the binary formula for two classes).
 * Constant predictions or constant labels give 0, not NaN, as in scikit-learn.
 */
export function matthewsCorrelation(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPair(predictions, labels, "matthews_correlation");
  const n = labels.length;
  const trueCount = new Map<number, number>();
  const predCount = new Map<number, number>();
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const t = labels[i]!;
    const p = predictions[i]!;
    trueCount.set(t, (trueCount.get(t) ?? 0) + 1);
    predCount.set(p, (predCount.get(p) ?? 0) + 1);
    if (t === p) correct++;
  }
  let tp = 0;
  let tt = 0;
  let pp = 0;
  for (const [k, t] of trueCount) {
    tt += t * t;
    tp += t * (predCount.get(k) ?? 0);
  }
  for (const p of predCount.values()) pp += p * p;
  const covYtYp = correct * n - tp;
  const covYpYp = n * n - pp;
  const covYtYt = n * n - tt;
  if (covYpYp === 0 || covYtYt === 0) return 0;
  return covYtYp / Math.sqrt(covYtYt * covYpYp);
}
