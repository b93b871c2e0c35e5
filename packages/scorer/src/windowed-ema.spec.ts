import { describe, expect, it } from "vitest";
import { WindowedEma, uncertaintyMode } from "./windowed-ema.js";

// Hand-computed with deltaT = 2, beta1 = beta2 = 0.5 (all values exact in float32):
// t=0 window boundary on the zero initial ipt: Ī = 0, Ū = 0, ipt = s0 = 4
// t=1 running mean: ipt = (4·1 + 2)/2 = 3
// t=2 boundary: Ī = 0.5·0 + 0.5·3 = 1.5, Ū = 0.5·0 + 0.5·|3 − 1.5| = 0.75 (uses the NEW Ī), ipt = 8
// t=3: ipt = (8·1 + 0)/2 = 4
// t=4 boundary: Ī = 0.5·1.5 + 0.5·4 = 2.75, Ū = 0.5·0.75 + 0.5·|4 − 2.75| = 1, ipt = s4 = 1
const S = [4, 2, 8, 0, 1];

function run(beta2: number, steps = S.length): WindowedEma {
  const ema = new WindowedEma(0.5, beta2, 2);
  for (let t = 0; t < steps; t++) ema.accumulate(t, "m", [1], Float32Array.of(S[t]!));
  return ema;
}

describe("WindowedEma (FORMAT.md §2.2)", () => {
  it("averages sensitivity over the window and advances the EMAs once per window, uncertainty against the fresh Ī", () => {
    const at = (steps: number) => run(0.5, steps).state("m")!;
    expect([...at(1).ipt, ...at(1).expAvgIpt, ...at(1).expAvgUnc!]).toEqual([4, 0, 0]);
    expect([...at(2).ipt]).toEqual([3]);
    expect([...at(3).ipt, ...at(3).expAvgIpt, ...at(3).expAvgUnc!]).toEqual([8, 1.5, 0.75]);
    expect([...at(4).ipt]).toEqual([4]);
    expect([...at(5).ipt, ...at(5).expAvgIpt, ...at(5).expAvgUnc!]).toEqual([1, 2.75, 1]);
  });

  it("scores Ī⊙Ū for 0 < beta2 < 1, Ī alone for beta2 = 1, Ī⊙|ipt − Ī| with the partial window otherwise", () => {
    expect([...run(0.5).score("m")]).toEqual([2.75 * 1]);
    const one = run(1);
    expect(one.mode).toBe("none");
    expect(one.state("m")!.expAvgUnc).toBeNull();
    expect([...one.score("m")]).toEqual([2.75]);
    const fallback = run(1.5);
    expect(fallback.mode).toBe("window-deviation");
    expect([...fallback.score("m")]).toEqual([2.75 * 1.75]);
    // after t=3 the fallback reads the partial window mean ipt = 4 with Ī = 1.5
    expect([...run(3, 4).score("m")]).toEqual([1.5 * 2.5]);
    // the reference allocates Ū for beta2 = 1.5 but never updates it
    expect([...fallback.state("m")!.expAvgUnc!]).toEqual([0]);
    expect(run(-1).state("m")!.expAvgUnc).toBeNull();
  });

  it("rounds every operation to float32 in the reference's order", () => {
    // 0.85 and 0.15 are not float32-exact: one EMA step must equal fround(fround(f(0.85)·0) + fround(f(0.15)·ipt)).
    const ema = new WindowedEma(0.85, 0.95, 1);
    ema.accumulate(0, "m", [1], Float32Array.of(0.1));
    ema.accumulate(1, "m", [1], Float32Array.of(0.3));
    const f = Math.fround;
    const e = f(f(f(0.85) * 0) + f(f(1 - 0.85) * f(0.1)));
    const u = f(f(f(0.95) * 0) + f(f(1 - 0.95) * Math.abs(f(f(0.1) - e))));
    expect(ema.state("m")!.expAvgIpt[0]).toBe(e);
    expect(ema.state("m")!.expAvgUnc![0]).toBe(u);
    expect(ema.score("m")[0]).toBe(f(e * u));
  });

  it("refuses beta2 = 2 with a message that says why and what to use", () => {
    expect(() => uncertaintyMode(2)).toThrow(/beta2: 2 selects the authors' running-variance uncertainty.*refuses/);
    expect(() => new WindowedEma(0.85, 2, 10)).toThrow(/beta2/);
  });

  it("round-trips its state and continues identically", () => {
    const a = run(0.5, 3);
    const saved = a.save();
    const b = new WindowedEma(0.5, 0.5, 2);
    b.load(saved.json, saved.tensors);
    for (const ema of [a, b]) for (let t = 3; t < S.length; t++) ema.accumulate(t, "m", [1], Float32Array.of(S[t]!));
    expect([...b.score("m")]).toEqual([...a.score("m")]);
    expect(() => new WindowedEma(0.85, 0.5, 2).load(saved.json, saved.tensors)).toThrow(
      /beta1 = 0.5 but this run uses beta1 = 0.85/,
    );
  });
});
