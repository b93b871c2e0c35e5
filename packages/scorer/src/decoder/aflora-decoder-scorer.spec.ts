import { PluginRegistry, type FreezingScorer } from "@aflora/core";
import * as tf from "@tensorflow/tfjs-core";
import { container } from "tsyringe";
import { beforeAll, describe, expect, it } from "vitest";
import { useCpu } from "../../test/tracked.js";
import { AfloraDecoderScorer } from "./aflora-decoder-scorer.js";
import { decoderScorerDefinitions } from "./definitions.js";

beforeAll(useCpu);

/** One update of matrices given as [name, values, grads] (1-D), with tensors disposed afterwards. */
function update(scorer: AfloraDecoderScorer, step: number, matrices: [string, number[], number[]][]): void {
  const tensors = matrices.map(([name, v, g]) => ({ name, value: tf.tensor1d(v), grad: tf.tensor1d(g) }));
  try {
    scorer.update(step, tensors);
  } finally {
    for (const t of tensors) {
      t.value.dispose();
      t.grad.dispose();
    }
  }
}

describe("aflora-decoder scorer", () => {
  it("uses |sign(θ)·∇θ| and guards each matrix against NaN/±Inf gradients on its own", () => {
    const before = tf.memory().numTensors;
    const s = new AfloraDecoderScorer({ beta1: 0.5, beta2: 0.5, deltaT: 2 });
    update(s, 0, [
      ["a", [0, -1], [5, -3]],
      ["b", [1, 1], [Number.NaN, 1]],
    ]);
    expect([...s.statistics("a")!.ipt]).toEqual([0, 3]);
    expect([...s.statistics("b")!.ipt]).toEqual([0, 0]);
    expect(s.nonFiniteLastStep).toEqual(["b"]);
    update(s, 1, [
      ["a", [1, 1], [1, Number.POSITIVE_INFINITY]],
      ["b", [1, 1], [2, 4]],
    ]);
    expect([...s.statistics("a")!.ipt]).toEqual([0, 3]); // mid-window: ignored
    expect([...s.statistics("b")!.ipt]).toEqual([1, 2]); // (0·1 + s)/2
    expect(s.nonFiniteLastStep).toEqual(["a"]);
    expect(s.nonFiniteWarnings).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("logs what the reference logs when scoring: sums of the means of Ī, Ū and the score", () => {
    const s = new AfloraDecoderScorer({ beta1: 0.5, beta2: 0.5, deltaT: 1 });
    update(s, 0, [["a", [1, 1], [2, 6]]]);
    update(s, 1, [["a", [1, 1], [0, 0]]]);
    // t=1: Ī = 0.5·[2, 6] = [1, 3], Ū = 0.5·|[2, 6] − [1, 3]| = [0.5, 1.5], score = [0.5, 4.5]
    const scores = s.elementScores(["a"]);
    expect([...scores.get("a")!]).toEqual([0.5, 4.5]);
    expect(s.scoreLog(["a"], scores)).toEqual({ sumExpAvgIpt: 2, sumExpAvgUnc: 1, sumScore: 2.5 });
    expect(new AfloraDecoderScorer({ beta1: 0.5, beta2: 1, deltaT: 1 }).scoreLog([], new Map()).sumExpAvgUnc).toBe(0);
  });

  it("refuses a second update for the same step and round-trips its state", () => {
    const s = new AfloraDecoderScorer();
    update(s, 0, [["a", [1], [2]]]);
    expect(() => update(s, 0, [["a", [1], [2]]])).toThrow(/update for step 0 after step 0/);
    const saved = s.saveState();
    const t = new AfloraDecoderScorer();
    t.loadState({
      json: saved.json,
      tensors: saved.tensors as Record<string, { data: Float32Array; shape: number[] }>,
    });
    expect([...t.statistics("a")!.ipt]).toEqual([2]);
    expect(() =>
      new AfloraDecoderScorer({ beta1: 0.85, beta2: 0.5, deltaT: 10 }).loadState({ json: saved.json, tensors: {} }),
    ).toThrow(/beta2 = 0.95/);
  });
});

describe("decoderScorerDefinitions", () => {
  const registry = new PluginRegistry();
  for (const d of decoderScorerDefinitions) registry.register(d);
  const create = (section: { name: string } & Record<string, unknown>) =>
    registry.create<FreezingScorer>("scorer", section, container.createChildContainer(), "freezing.scorer");

  it("registers aflora-decoder with the authors' defaults (0.85, 0.95, ΔT 10)", () => {
    const s = create({ name: "aflora-decoder" }) as AfloraDecoderScorer;
    expect([s.name, s.deltaT, s.mode]).toEqual(["aflora-decoder", 10, "ema"]);
  });

  it("accepts every beta2 the reference crashes on, each with its documented branch", () => {
    expect(
      [1, 0, -2, 2].map((beta2) => (create({ name: "aflora-decoder", beta2 }) as AfloraDecoderScorer).mode),
    ).toEqual(["none", "window-deviation", "window-deviation", "running-variance"]);
  });

  it("names the offending field", () => {
    expect(() => create({ name: "aflora-decoder", beta1: 1 })).toThrow(
      /^freezing\.scorer \(scorer "aflora-decoder"\): beta1: /,
    );
    expect(() => create({ name: "aflora-decoder", deltaT: 0 })).toThrow(/deltaT: /);
    expect(() => create({ name: "aflora-decoder", window: 3 })).toThrow(/window: unknown option/);
  });
});
