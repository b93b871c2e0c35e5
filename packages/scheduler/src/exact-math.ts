/**
 * Float64 helpers that reproduce CPython exactly, so schedule thresholds match the authors'
 * values bit for bit (FORMAT.md §6).
 */

/** Correctly rounded x³ (what CPython's `x ** 3` gives through libm `pow`); `Math.pow` is 1 ulp off on some inputs. */
export function cube(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x * x * x;
  const negative = x < 0;
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, Math.abs(x));
  const bits = dv.getBigUint64(0);
  let e = Number((bits >> 52n) & 0x7ffn);
  let m = bits & ((1n << 52n) - 1n);
  if (e === 0) e = 1;
  else m |= 1n << 52n;
  // |x| = m · 2^(e−1075); m³ is exact as a BigInt and Number() rounds it to nearest once.
  const r = Number(m * m * m) * 2 ** (3 * (e - 1075));
  return negative ? -r : r;
}

/** CPython's float floor division `a // b` (float_floor_div), e.g. `total_step // num_train_epochs`. */
export function pyFloorDiv(a: number, b: number): number {
  if (b === 0) throw new Error("pyFloorDiv: division by zero");
  let mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0) {
    if (b < 0 !== mod < 0) {
      mod += b;
      div -= 1;
    }
  }
  if (div === 0) {
    const q = a / b;
    return q < 0 || Object.is(q, -0) ? -0 : 0;
  }
  let floordiv = Math.floor(div);
  if (div - floordiv > 0.5) floordiv += 1;
  return floordiv;
}
