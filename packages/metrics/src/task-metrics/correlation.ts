import { checkPair, type MetricOptions } from "./check.js";
import { powerOfTwoBelow, StableSum } from "./stable-sum.js";

const CONSTANT = "an input array is constant; the correlation coefficient is not defined (NaN, as in scipy)";

function isConstant(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
}

/**
 * Values scaled by a power of two (exact) into [1, 2) at most, then centred on their mean; the
 * mean's own rounding error stays in the returned sum of deviations, which `pearsonOf` removes
 * (the corrected two-pass algorithm). Works from 1e-300 to 1e300 without under- or overflow.
 */
function deviations(values: ArrayLike<number>): { d: Float64Array; sum: number } {
  const n = values.length;
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(values[i]!));
  const scale = powerOfTwoBelow(max);
  const mean = new StableSum();
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    d[i] = values[i]! / scale;
    mean.add(d[i]!);
  }
  const m = mean.value / n;
  let spread = 0;
  for (let i = 0; i < n; i++) {
    d[i] = d[i]! - m;
    spread = Math.max(spread, Math.abs(d[i]!));
  }
  // A second exact rescaling keeps tiny spreads around a large offset away from underflow.
  const rescale = spread === 0 ? 1 : powerOfTwoBelow(spread);
  const sum = new StableSum();
  for (let i = 0; i < n; i++) {
    d[i] = d[i]! / rescale;
    sum.add(d[i]!);
  }
  return { d, sum: sum.value };
}

/** r of two non-constant, finite series. */
function pearsonOf(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  const dx = deviations(x);
  const dy = deviations(y);
  const sxy = new StableSum();
  const sxx = new StableSum();
  const syy = new StableSum();
  for (let i = 0; i < n; i++) {
    const a = dx.d[i]!;
    const b = dy.d[i]!;
    sxy.add(a * b);
    sxx.add(a * a);
    syy.add(b * b);
  }
  const cxy = sxy.value - (dx.sum * dy.sum) / n;
  const cxx = sxx.value - (dx.sum * dx.sum) / n;
  const cyy = syy.value - (dy.sum * dy.sum) / n;
  // Both sums are at most 4n after the rescaling, so their product cannot under- or overflow.
  const r = cxy / Math.sqrt(cxx * cyy);
  return Math.max(-1, Math.min(1, r));
}

/**
 * Pearson's r (scipy `pearsonr`), computed stably: exact power-of-two scaling, centring with
 * compensated sums and the corrected two-pass formula, so it holds to ~1e-15 relative from
 * 1e-170 to 1e300 and around offsets like 1e12. A constant side gives NaN with a warning, as in
 * scipy; fewer than two points or a NaN/infinite value raise, as scipy's pearsonr does.
 */
export function pearson(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: MetricOptions = {},
): number {
  checkPair(predictions, labels, "pearson");
  if (labels.length < 2) throw new Error(`pearson: needs at least 2 examples, got ${labels.length}`);
  for (const [name, values] of [
    ["predictions", predictions],
    ["labels", labels],
  ] as const) {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]!))
        throw new Error(`pearson: ${name}[${i}] is ${values[i]}; scipy's pearsonr refuses NaN and infinity`);
    }
  }
  if (isConstant(predictions) || isConstant(labels)) {
    options.warn?.(`pearson: ${CONSTANT}`);
    return Number.NaN;
  }
  if (labels.length === 2) return Math.sign(predictions[1]! - predictions[0]!) * Math.sign(labels[1]! - labels[0]!);
  return pearsonOf(predictions, labels);
}

/** 1-based ranks; tied values share the average of their ranks (scipy `rankdata(method="average")`). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) =>
    values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : 0,
  );
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

/**
 * Spearman's rho (scipy `spearmanr`): Pearson's r of the average ranks, so ties share their mean
 * rank. NaN in the input gives NaN (scipy's nan_policy "propagate"); a constant side, or a
 * single example, gives NaN with a warning.
 */
export function spearman(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: MetricOptions = {},
): number {
  checkPair(predictions, labels, "spearmanr");
  for (let i = 0; i < labels.length; i++) {
    if (Number.isNaN(predictions[i]!) || Number.isNaN(labels[i]!)) return Number.NaN;
  }
  if (isConstant(predictions) || isConstant(labels)) {
    options.warn?.(`spearmanr: ${CONSTANT}`);
    return Number.NaN;
  }
  return pearsonOf(averageRanks(predictions), averageRanks(labels));
}
