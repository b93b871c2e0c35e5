import { describe, expect, it } from "vitest";
import { DecoderWindowStats, decoderUncertaintyMode, hasNonFinite } from "./decoder-window-stats.js";

// Hand-computed with deltaT = 2, beta1 = 0.5 (all values exact in float32); null = non-finite gradient:
// t=0 window start on the zero initial ipt: Ī = 0, ipt = s0 = 4
// t=1 running mean: ipt = (4·1 + 2)/2 = 3
// t=2 start: Ī = 0.5·0 + 0.5·3 = 1.5, ipt = 8
// t=3: ipt = (8·1 + 0)/2 = 4
// t=4 start: Ī = 0.5·1.5 + 0.5·4 = 2.75, ipt = 1
const S = [4, 2, 8, 0, 1];

function run(beta2: number, s: (number | null)[] = S): DecoderWindowStats {
  const stats = new DecoderWindowStats(0.5, beta2, 2);
  s.forEach((v, t) => stats.accumulate(t, "m", [1], 1, v === null ? null : Float32Array.of(v)));
  return stats;
}

describe("decoderUncertaintyMode (the reference's beta2 branches)", () => {
  it("maps beta2 to the EMA, none, running-variance and window-deviation branches", () => {
    expect([0.95, 1, 2, 1.5, 0, -0.3, 3].map(decoderUncertaintyMode)).toEqual([
      "ema",
      "none",
      "running-variance",
      "window-deviation",
      "window-deviation",
      "window-deviation",
      "window-deviation",
    ]);
    expect(() => decoderUncertaintyMode(Number.NaN)).toThrow(/beta2: expected a finite number/);
  });
});

describe("DecoderWindowStats (FORMAT.md §2.2)", () => {
  it("beta2 = 0.5: Ū is an EMA of |ipt − Ī| against the fresh Ī, score Ī⊙Ū", () => {
    // t=2: Ū = 0.5·|3 − 1.5| = 0.75; t=4: Ū = 0.5·0.75 + 0.5·|4 − 2.75| = 1
    const st = run(0.5);
    expect([...st.state("m")!.expAvgIpt, ...st.state("m")!.expAvgUnc!, ...st.state("m")!.ipt]).toEqual([2.75, 1, 1]);
    expect([...st.score("m")]).toEqual([2.75]);
  });

  it("beta2 = 1: no uncertainty state (as the reference allocates none), score Ī alone", () => {
    const st = run(1);
    expect(st.state("m")!.expAvgUnc).toBeNull();
    expect([...st.score("m")]).toEqual([2.75]);
  });

  it("beta2 = 2: Ū is the running mean of (ipt − Ī)² over window updates u = t div ΔT, score Ī⊙√Ū", () => {
    // t=0 (u=0): Ū = (0·0 + (0 − 0)²)/1 = 0; t=2 (u=1): Ū = (1·0 + (3 − 1.5)²)/2 = 1.125;
    // t=4 (u=2): Ū = (2·1.125 + (4 − 2.75)²)/3 = (2.25 + 1.5625)/3 = 1.2708333
    const st = run(2);
    expect(st.state("m")!.expAvgUnc![0]).toBe(Math.fround(3.8125 / 3));
    expect(st.score("m")[0]).toBe(Math.fround(2.75 * Math.fround(Math.sqrt(Math.fround(3.8125 / 3)))));
  });

  it("beta2 ≤ 0 or another value: Ū allocated only for beta2 > 0, never updated; score Ī⊙|ipt − Ī| with the partial window", () => {
    expect(run(0).state("m")!.expAvgUnc).toBeNull();
    expect([...run(1.5).state("m")!.expAvgUnc!]).toEqual([0]);
    expect([...run(-1).score("m")]).toEqual([2.75 * Math.abs(1 - 2.75)]);
    expect([...run(1.5).score("m")]).toEqual([2.75 * 1.75]);
  });

  it("non-finite gradient at a window start: EMAs advance, then the window restarts from zero", () => {
    // t=2 bad: Ī = 1.5 as before, ipt = 0; t=3: ipt = (0·1 + 0)/2 = 0; t=4: Ī = 0.75, ipt = 1
    const st = run(0.5, [4, 2, null, 0, 1]).state("m")!;
    expect([...st.expAvgIpt, ...st.ipt]).toEqual([0.75, 1]);
  });

  it("non-finite gradient mid-window: the step is ignored, but the next one still weights by its local index", () => {
    // deltaT = 3: t=0 ipt = 4; t=1 bad (ipt stays 4); t=2: ipt = (4·2 + 1)/3 = 3
    const stats = new DecoderWindowStats(0.5, 0.5, 3);
    [4, null, 1].forEach((v, t) => stats.accumulate(t, "m", [1], 1, v === null ? null : Float32Array.of(v)));
    expect([...stats.state("m")!.ipt]).toEqual([3]);
  });

  it("is float32 throughout, in the reference's order (scalars rounded first)", () => {
    const stats = new DecoderWindowStats(0.85, 0.95, 1);
    stats.accumulate(0, "m", [1], 1, Float32Array.of(0.1));
    stats.accumulate(1, "m", [1], 1, Float32Array.of(0.3));
    const f = Math.fround;
    const e = f(f(f(0.85) * 0) + f(f(1 - 0.85) * f(0.1)));
    expect(stats.state("m")!.expAvgIpt[0]).toBe(e);
    expect(stats.state("m")!.expAvgUnc![0]).toBe(f(f(f(0.95) * 0) + f(f(1 - 0.95) * Math.abs(f(f(0.1) - e)))));
  });

  it("round-trips through save/load and refuses a checkpoint written with other settings", () => {
    const a = run(2);
    const saved = a.save();
    const b = new DecoderWindowStats(0.5, 2, 2);
    b.load(saved.json, saved.tensors);
    expect([...b.score("m")]).toEqual([...a.score("m")]);
    expect(() => new DecoderWindowStats(0.5, 0.95, 2).load(saved.json, saved.tensors)).toThrow(
      /beta2 = 2 but this run uses beta2 = 0.95/,
    );
  });

  it("detects NaN and ±Infinity", () => {
    expect(
      [Float32Array.of(1, Number.NaN), Float32Array.of(-Infinity), Float32Array.of(0, 3e38)].map(hasNonFinite),
    ).toEqual([true, true, false]);
  });
});
