/**
 * The k-th smallest element (1-based) of `values`, like `torch.kthvalue`. Sorts `values` in
 * place (a typed-array sort: numeric, NaN last as in PyTorch); callers pass a scratch pool.
 */
export function kthSmallest(values: Float32Array, k: number): number {
  if (!Number.isInteger(k) || k < 1 || k > values.length) {
    throw new RangeError(`kthSmallest: k must be an integer in [1, ${values.length}], got ${k}`);
  }
  values.sort();
  return values[k - 1]!;
}

/** Mean of a float32 array, summed in float64. */
export function mean(values: Float32Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}
