import { beforeAll, describe, expect, it } from "vitest";
import { MagnitudeScorer } from "./magnitude-scorer.js";
import { numTensors, useCpu, withTracked } from "../test/tracked.js";

beforeAll(useCpu);

describe("magnitude scorer (the authors' Magnitude mode)", () => {
  it("scores |θ| at the latest step, unsmoothed, without reading gradients", () => {
    const scorer = new MagnitudeScorer();
    const before = numTensors();
    withTracked([{ name: "A", shape: [3], value: [1, -2, 0], grad: [9, 9, 9] }], (t) => scorer.update(0, t));
    withTracked([{ name: "A", shape: [3], value: [-0.5, 4, -0], grad: [0, 0, 0] }], (t) => scorer.update(1, t));
    expect([...scorer.elementScores(["A"]).get("A")!]).toEqual([0.5, 4, 0]);
    expect(numTensors()).toBe(before);
  });

  it("round-trips its state and forgets frozen matrices", () => {
    const scorer = new MagnitudeScorer();
    withTracked(
      [
        { name: "A", shape: [2], value: [1, -3], grad: [0, 0] },
        { name: "B", shape: [1], value: [2], grad: [0] },
      ],
      (t) => scorer.update(0, t),
    );
    const saved = scorer.saveState();
    const other = new MagnitudeScorer();
    other.loadState({ json: saved.json, tensors: saved.tensors });
    expect([...other.elementScores(["A"]).get("A")!]).toEqual([1, 3]);
    other.forget(["B"]);
    expect(() => other.elementScores(["B"])).toThrow(/no value seen for "B"/);
  });
});
