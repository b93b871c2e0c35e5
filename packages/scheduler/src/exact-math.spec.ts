import { describe, expect, it } from "vitest";
import { cube, pyFloorDiv } from "./exact-math.js";

describe("cube", () => {
  it("is the correctly rounded x³ (Math.pow and x·x·x are not always)", () => {
    expect(cube(0.5)).toBe(0.125);
    expect(cube(0.8)).toBe(0.5120000000000001); // the reference's threshold at mrpc step 20
    expect(cube(-0.5)).toBe(-0.125);
    expect(cube(0)).toBe(0);
    // exhaustive check against exact rational arithmetic on a sample of doubles in [0, 1]
    let powDiffers = 0;
    for (let i = 1; i < 2000; i++) {
      const x = i / 2001;
      const exact = exactCube(x);
      expect(cube(x)).toBe(exact);
      if (Math.pow(x, 3) !== exact) powDiffers++;
    }
    expect(powDiffers).toBeGreaterThan(0);
  });
});

/** x³ rounded once, computed with BigInt fractions independently of `cube`'s bit manipulation. */
function exactCube(x: number): number {
  const n = BigInt(x * 2 ** 80); // exact: x ≥ 2^-11 has no bits below 2^-63
  const num = n * n * n; // x³ = num / 2^240
  // keep 64 significant bits plus a sticky bit, and let Number() round that once
  const bits = num.toString(2).length;
  const shift = BigInt(Math.max(0, bits - 64));
  const top = num >> shift;
  const sticky = top << shift !== num ? 1n : 0n;
  return Number((top << 1n) | sticky) * 2 ** (Number(shift) - 1 - 240);
}

describe("pyFloorDiv (CPython float //)", () => {
  it("matches Python on exact, fractional and negative operands", () => {
    expect(pyFloorDiv(200, 20)).toBe(10);
    expect(pyFloorDiv(25, 2.5)).toBe(10);
    expect(pyFloorDiv(64, 3)).toBe(21);
    expect(pyFloorDiv(1, 0.1)).toBe(9); // Python: 1 // 0.1 == 9.0, while Math.floor(1 / 0.1) == 10
    expect(Math.floor(1 / 0.1)).toBe(10);
    expect(pyFloorDiv(-7, 2)).toBe(-4);
    expect(pyFloorDiv(7, -2)).toBe(-4);
    expect(Object.is(pyFloorDiv(0, 5), 0)).toBe(true);
    expect(() => pyFloorDiv(1, 0)).toThrow(/division by zero/);
  });
});
