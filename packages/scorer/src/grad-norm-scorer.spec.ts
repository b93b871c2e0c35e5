import { beforeAll, describe, expect, it } from "vitest";
import { GradNormScorer } from "./grad-norm-scorer.js";
import { numTensors, useCpu, withTracked } from "../test/tracked.js";

beforeAll(useCpu);

describe("grad-norm scorer", () => {
  it("scores the window-averaged, EMA-smoothed squared gradient, ignoring values", () => {
    const scorer = new GradNormScorer({ beta1: 0.5, deltaT: 2 });
    const before = numTensors();
    const steps = [
      [1, -2],
      [3, 0],
      [0, 0],
    ];
    steps.forEach((g, t) =>
      withTracked([{ name: "B", shape: [2, 1], value: [0, 0], grad: g }], (tr) => scorer.update(t, tr)),
    );
    // window mean of g² over steps 0,1 = [5, 2]; at t=2: Ī = 0.5·[5, 2]
    expect([...scorer.elementScores(["B"]).get("B")!]).toEqual([2.5, 1]);
    expect(scorer.statistics("B")!.expAvgUnc).toBeNull();
    expect(scorer.mode).toBe("none");
    expect(numTensors()).toBe(before);
  });

  it("ranks matrices by mean squared gradient, i.e. ‖∇θ‖²/size", () => {
    const scorer = new GradNormScorer({ beta1: 0, deltaT: 1 });
    withTracked(
      [
        { name: "small", shape: [4], value: [1, 1, 1, 1], grad: [0.5, 0.5, 0.5, 0.5] },
        { name: "large", shape: [2], value: [1, 1], grad: [1, 0] },
      ],
      (t) => scorer.update(0, t),
    );
    withTracked(
      [
        { name: "small", shape: [4], value: [1, 1, 1, 1], grad: [0, 0, 0, 0] },
        { name: "large", shape: [2], value: [1, 1], grad: [0, 0] },
      ],
      (t) => scorer.update(1, t),
    );
    const s = scorer.elementScores(["small", "large"]);
    const mean = (a: Float32Array) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(s.get("small")!)).toBe(0.25);
    expect(mean(s.get("large")!)).toBe(0.5);
  });
});
