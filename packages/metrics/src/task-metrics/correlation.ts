import { checkPair } from "./check.js";

/**
 * Pearson's r (scipy `pearsonr`). scipy returns NaN when either side is constant; aflora
 * returns 0 instead (no linear association can be measured), so checkpoint selection on a
 * model that still predicts one value stays well defined.
 */
export function pearson(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPair(predictions, labels, "pearson");
  const n = labels.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += predictions[i]!;
    my += labels[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = predictions[i]! - mx;
    const dy = labels[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return 0;
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

/** 1-based ranks; tied values share the average of their ranks (scipy `rankdata(method="average")`). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    start = end;
  }
  return ranks;
}

/** Spearman's rho (scipy `spearmanr`): Pearson's r of the average ranks. */
export function spearman(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPair(predictions, labels, "spearmanr");
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isFinite(predictions[i]!) || !Number.isFinite(labels[i]!)) return Number.NaN;
  }
  return pearson(averageRanks(predictions), averageRanks(labels));
}
