import { beforeAll, describe, expect, it } from "vitest";
import { SensitivityScorer } from "./sensitivity-scorer.js";
import { numTensors, useCpu, withTracked } from "../test/tracked.js";

beforeAll(useCpu);

describe("sensitivity scorer (AdaLoRA/PLATON |θ·∇θ|)", () => {
  it("weighs the gradient by the value's magnitude, with the same window smoothing and uncertainty", () => {
    const scorer = new SensitivityScorer({ beta1: 0.5, beta2: 0.5, deltaT: 2 });
    const before = numTensors();
    const value = [2, -0.5, 0, 4];
    const grads = [
      [1, 2, 3, -0.25],
      [3, -2, 1, 0.75],
      [0, 0, 0, 0],
    ];
    grads.forEach((g, t) => withTracked([{ name: "A", shape: [1, 4], value, grad: g }], (tr) => scorer.update(t, tr)));
    // s0 = |θ·g0| = [2, 1, 0, 1], s1 = [6, 1, 0, 3] → window mean [4, 1, 0, 2]
    // t=2: Ī = 0.5·[4, 1, 0, 2], Ū = 0.5·|[4, 1, 0, 2] − Ī| = [1, 0.25, 0, 0.5]
    const st = scorer.statistics("A")!;
    expect([...st.expAvgIpt]).toEqual([2, 0.5, 0, 1]);
    expect([...st.expAvgUnc!]).toEqual([1, 0.25, 0, 0.5]);
    expect([...scorer.elementScores(["A"]).get("A")!]).toEqual([2, 0.125, 0, 0.5]);
    expect(numTensors()).toBe(before);
  });

  it("differs from aflora exactly by the value magnitude", () => {
    const scorer = new SensitivityScorer({ beta1: 0, beta2: 1, deltaT: 1 });
    withTracked([{ name: "A", shape: [2], value: [10, 0.1], grad: [0.01, 1] }], (t) => scorer.update(0, t));
    withTracked([{ name: "A", shape: [2], value: [10, 0.1], grad: [0, 0] }], (t) => scorer.update(1, t));
    // aflora would score both 0.01 and 1 → the small-gradient large weight now ties the other one
    expect([...scorer.elementScores(["A"]).get("A")!]).toEqual([
      Math.fround(10 * Math.fround(0.01)),
      Math.fround(Math.fround(0.1) * 1),
    ]);
  });
});
