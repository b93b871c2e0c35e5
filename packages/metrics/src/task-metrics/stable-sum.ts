/** Neumaier's compensated sum: the error of each addition is carried, so long sums stay exact to ~1 ulp. */
export class StableSum {
  private sum = 0;
  private compensation = 0;

  add(x: number): void {
    const t = this.sum + x;
    this.compensation += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}

/** The power of two at or below |x| (x finite and non-zero): dividing by it is exact. */
export function powerOfTwoBelow(x: number): number {
  const e = Math.floor(Math.log2(Math.abs(x)));
  // 2 ** e underflows to 0 below 2^-1074 and overflows above 2^1023; clamp so the scale stays a normal number.
  return 2 ** Math.max(-1022, Math.min(1023, e));
}
