import { checkClassIds, type MetricOptions } from "./check.js";

/** Fraction of predictions equal to the label (scikit-learn `accuracy_score`). */
export function accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkClassIds(predictions, labels, "accuracy");
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) hits++;
  return hits / labels.length;
}

/** scikit-learn's `average` settings of `f1_score` (`None`, per-class scores, is not offered). */
export const F1_AVERAGES = ["binary", "macro", "micro", "weighted"] as const;
export type F1Average = (typeof F1_AVERAGES)[number];

export interface F1Options extends MetricOptions {
  /** Default "binary": F1 of class 1, which needs at most two classes among labels and predictions. */
  average?: F1Average;
}

interface ClassCounts {
  tp: number;
  fp: number;
  fn: number;
  support: number;
}

function countsByClass(predictions: ArrayLike<number>, labels: ArrayLike<number>): Map<number, ClassCounts> {
  const counts = new Map<number, ClassCounts>();
  const of = (c: number) => {
    let e = counts.get(c);
    if (!e) counts.set(c, (e = { tp: 0, fp: 0, fn: 0, support: 0 }));
    return e;
  };
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!;
    const p = predictions[i]!;
    of(t).support++;
    if (t === p) of(t).tp++;
    else {
      of(p).fp++;
      of(t).fn++;
    }
  }
  return counts;
}

const f1Of = (c: ClassCounts) => (2 * c.tp + c.fp + c.fn === 0 ? 0 : (2 * c.tp) / (2 * c.tp + c.fp + c.fn));

/**
 * F1 as scikit-learn's `f1_score` (zero_division "warn"). `binary` (the default, what HF's glue
 * metric uses for MRPC/QQP) scores class 1 and raises when labels and predictions hold more than
 * two classes, or two classes without 1; with no true and no predicted 1 it is 0 with a warning.
 * `macro` averages the classes present in labels or predictions, `weighted` weighs them by
 * support, `micro` pools the counts (equal to accuracy for single-label data).
 */
export function f1(predictions: ArrayLike<number>, labels: ArrayLike<number>, options: F1Options = {}): number {
  checkClassIds(predictions, labels, "f1");
  const average = options.average ?? "binary";
  if (!(F1_AVERAGES as readonly string[]).includes(average)) {
    throw new Error(`f1: unknown average ${JSON.stringify(average)}; use one of ${F1_AVERAGES.join(", ")}`);
  }
  const counts = countsByClass(predictions, labels);
  const classes = [...counts.keys()].sort((a, b) => a - b);
  if (average === "binary") {
    if (classes.length > 2) {
      throw new Error(
        `f1: the labels and predictions hold ${classes.length} classes (${classes.join(", ")}) ` +
          'but average is "binary"; ' +
          `choose average "macro", "micro" or "weighted" (scikit-learn raises here too)`,
      );
    }
    if (classes.length === 2 && !counts.has(1)) {
      throw new Error(
        `f1: average "binary" scores class 1, which is not among the classes ${classes.join(", ")}; ` +
          "choose another average",
      );
    }
    const c = counts.get(1) ?? { tp: 0, fp: 0, fn: 0, support: 0 };
    if (2 * c.tp + c.fp + c.fn === 0)
      options.warn?.("f1: F-score is ill-defined and set to 0.0: class 1 is neither a label nor a prediction");
    return f1Of(c);
  }
  if (average === "micro") {
    let tp = 0;
    let wrong = 0;
    for (const c of counts.values()) {
      tp += c.tp;
      wrong += c.fp;
    }
    return (2 * tp) / (2 * tp + 2 * wrong);
  }
  let sum = 0;
  let weights = 0;
  for (const k of classes) {
    const c = counts.get(k)!;
    const w = average === "macro" ? 1 : c.support;
    sum += w * f1Of(c);
    weights += w;
  }
  return sum / weights;
}

/**
 * Matthews correlation coefficient for any number of classes (the multiclass form of
 * scikit-learn's `matthews_corrcoef`, equal to the binary formula for two classes).
 * Constant predictions or constant labels give 0, not NaN, as in scikit-learn.
 */
export function matthewsCorrelation(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkClassIds(predictions, labels, "matthews_correlation");
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
