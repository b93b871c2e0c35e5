/**
 * The k-th smallest element (1-based) of `values`, like `torch.kthvalue` (NaN counts as the
 * largest value). Reorders `values` in place (callers pass a scratch pool). Expected O(N):
 * Hoare-partition selection with a median-of-three pivot, which also stays fast on the many
 * exact ties (zeros) that scores contain.
 */
export function kthSmallest(values: Float32Array, k: number): number {
  const n = values.length;
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new RangeError(`kthSmallest: k must be an integer in [1, ${n}], got ${k}`);
  }
  // NaNs to the end: they are larger than every number.
  let end = n;
  for (let i = 0; i < end; i++) {
    if (Number.isNaN(values[i]!)) {
      end--;
      values[i] = values[end]!;
      values[end] = Number.NaN;
      i--;
    }
  }
  if (k > end) return Number.NaN;
  const target = k - 1;
  let lo = 0;
  let hi = end - 1;
  while (lo < hi) {
    const a = values[lo]!;
    const b = values[(lo + hi) >>> 1]!;
    const c = values[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (pivot < values[j]!) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (j < target) lo = i;
    if (target < i) hi = j;
    if (j < target && target < i) break;
  }
  return values[target]!;
}

/** Mean of a float32 array, summed in float64. */
export function mean(values: Float32Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}
