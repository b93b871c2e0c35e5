import { Rng } from "@aflora/core";
import { beforeAll, describe, expect, it } from "vitest";
import { RandomScorer } from "./random-scorer.js";
import { useCpu, withTracked } from "../test/tracked.js";

beforeAll(useCpu);

const matrices = [
  { name: "A", shape: [2, 3], value: [1, 1, 1, 1, 1, 1], grad: [0, 0, 0, 0, 0, 0] },
  { name: "B", shape: [3, 2], value: [1, 1, 1, 1, 1, 1], grad: [0, 0, 0, 0, 0, 0] },
];

describe("random scorer", () => {
  it("gives each matrix one seeded uniform draw per decision, in the order asked", () => {
    const scorer = new RandomScorer(7);
    withTracked(matrices, (t) => scorer.update(0, t));
    const rng = new Rng(7);
    const first = scorer.elementScores(["A", "B"]);
    expect([...first.get("A")!]).toEqual(new Array(6).fill(Math.fround(rng.uniform())));
    expect([...first.get("B")!]).toEqual(new Array(6).fill(Math.fround(rng.uniform())));
    const second = scorer.elementScores(["A"]);
    expect(second.get("A")![0]).toBe(Math.fround(rng.uniform()));
  });

  it("is reproducible from its seed and continues its sequence after a resume", () => {
    const a = new RandomScorer(3);
    const b = new RandomScorer(3);
    withTracked(matrices, (t) => {
      a.update(0, t);
      b.update(0, t);
    });
    a.elementScores(["A", "B"]);
    const saved = a.saveState();
    const resumed = new RandomScorer(3);
    resumed.loadState({ json: JSON.parse(JSON.stringify(saved.json)) });
    b.elementScores(["A", "B"]);
    expect([...resumed.elementScores(["B"]).get("B")!]).toEqual([...b.elementScores(["B"]).get("B")!]);
    expect(() => new RandomScorer(4).loadState({ json: saved.json })).toThrow(/seed = 3 but this run uses seed = 4/);
  });
});
