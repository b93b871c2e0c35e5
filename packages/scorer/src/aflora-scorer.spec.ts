import { beforeAll, describe, expect, it } from "vitest";
import { AfloraScorer } from "./aflora-scorer.js";
import { loadScenario, scenarioFiles } from "../test/fixtures.js";
import { numTensors, useCpu, withTracked } from "../test/tracked.js";

beforeAll(useCpu);

function meanOf(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
}

function closeRel(actual: number, expected: number): boolean {
  return actual === expected || Math.abs(actual - expected) <= 1e-5 * Math.max(Math.abs(actual), Math.abs(expected));
}

describe("aflora scorer", () => {
  it("uses |sign(θ)·∇θ|: the gradient magnitude, 0 where the value is exactly ±0", () => {
    const scorer = new AfloraScorer({ beta1: 0.5, beta2: 1, deltaT: 1 });
    const before = numTensors();
    withTracked([{ name: "B", shape: [2, 2], value: [0, -0, 0.5, -2], grad: [3, -3, -0.25, 0.75] }], (t) =>
      scorer.update(0, t),
    );
    withTracked([{ name: "B", shape: [2, 2], value: [1, 1, 1, 1], grad: [0, 0, 0, 0] }], (t) => scorer.update(1, t));
    // step 1 is a window boundary (deltaT = 1): Ī = 0.5·0 + 0.5·s0
    expect([...scorer.statistics("B")!.expAvgIpt]).toEqual([0, 0, 0.125, 0.375]);
    expect([...scorer.elementScores(["B"]).get("B")!]).toEqual([0, 0, 0.125, 0.375]);
    expect(numTensors()).toBe(before);
  });

  it("updates once per optimizer step: a second update for the same step is an error", () => {
    const scorer = new AfloraScorer();
    const m = [{ name: "A", shape: [1, 2], value: [1, 1], grad: [1, 1] }];
    withTracked(m, (t) => scorer.update(3, t));
    withTracked(m, (t) => expect(() => scorer.update(3, t)).toThrow(/once per optimizer step/));
  });

  it("saves every array and the window position, and resumes bit-identically", () => {
    const grads = [
      [0.1, -0.2, 0.3],
      [0.05, 0.5, -0.01],
      [0.2, 0.2, 0.2],
      [-1, 0.001, 0.4],
      [0.3, 0.3, -0.3],
    ];
    const feed = (s: AfloraScorer, from: number, to: number) => {
      for (let t = from; t < to; t++)
        withTracked([{ name: "A", shape: [1, 3], value: [1, 2, 3], grad: grads[t % grads.length]! }], (tr) =>
          s.update(t, tr),
        );
    };
    const straight = new AfloraScorer({ beta1: 0.85, beta2: 0.95, deltaT: 3 });
    feed(straight, 0, 10);
    const first = new AfloraScorer({ beta1: 0.85, beta2: 0.95, deltaT: 3 });
    feed(first, 0, 5);
    const saved = first.saveState();
    expect(Object.keys(saved.tensors).sort()).toEqual(["exp_avg_ipt/A", "exp_avg_unc/A", "ipt/A"]);
    const resumed = new AfloraScorer({ beta1: 0.85, beta2: 0.95, deltaT: 3 });
    resumed.loadState({ json: JSON.parse(JSON.stringify(saved.json)), tensors: saved.tensors });
    withTracked([{ name: "A", shape: [1, 3], value: [1, 2, 3], grad: grads[0]! }], (tr) =>
      expect(() => resumed.update(4, tr)).toThrow(/after step 4/),
    );
    feed(resumed, 5, 10);
    expect([...resumed.elementScores(["A"]).get("A")!]).toEqual([...straight.elementScores(["A"]).get("A")!]);
    expect(() =>
      new AfloraScorer({ beta1: 0.85, beta2: 0.95, deltaT: 10 }).loadState({
        json: saved.json,
        tensors: saved.tensors,
      }),
    ).toThrow(/deltaT = 3 but this run uses deltaT = 10/);
  });

  // The scorer alone against every shared reference trace: window means and EMAs at 1e-5,
  // and the k-th smallest element score — the mask threshold — bit-exact (FORMAT.md §6).
  describe.each(scenarioFiles())("reference trace %s", (file) => {
    it("reproduces ipt / exp_avg_ipt / exp_avg_unc means and the mask thresholds", () => {
      const s = loadScenario(file);
      if (s.config.beta2 === 2) return; // refused at config time, see register.spec.ts
      const shapes = new Map(s.params.map((p) => [p.name, p.shape]));
      const values = new Map<string, number[]>();
      const scorer = new AfloraScorer({ beta1: s.config.beta1, beta2: s.config.beta2, deltaT: s.config.deltaT });
      const before = numTensors();
      let maskSteps = 0;
      for (const step of s.steps) {
        for (const [n, v] of Object.entries(step.values ?? {})) values.set(n, v);
        const e = step.expected;
        if (e.skipped_stop_pruning) continue;
        const tracked = Object.keys(e.ipt_mean ?? {});
        withTracked(
          tracked.map((n) => ({ name: n, shape: shapes.get(n)!, value: values.get(n)!, grad: step.grads![n]! })),
          (t) => scorer.update(step.global_step, t),
        );
        for (const [field, key] of [
          ["ipt_mean", "ipt"],
          ["exp_avg_ipt_mean", "expAvgIpt"],
          ["exp_avg_unc_mean", "expAvgUnc"],
        ] as const) {
          for (const [n, v] of Object.entries(e[field] ?? {})) {
            const arr = scorer.statistics(n)![key]!;
            expect(closeRel(meanOf(arr), Math.fround(v)), `${file} step ${step.global_step} ${field} ${n}`).toBe(true);
          }
        }
        if (e.mask_threshold !== undefined && e.scores && e.kth) {
          const names = Object.keys(e.scores);
          const scores = scorer.elementScores(names);
          const pool = Float32Array.from(names.flatMap((n) => [...scores.get(n)!]));
          pool.sort();
          expect(pool[e.kth.k - 1], `${file} step ${step.global_step} mask_threshold`).toBe(
            Math.fround(e.mask_threshold),
          );
          for (const n of names)
            expect(
              closeRel(meanOf(scores.get(n)!), Math.fround(e.scores[n]!)),
              `${file} step ${step.global_step} score ${n}`,
            ).toBe(true);
          maskSteps++;
        }
        if (e.error) break;
        scorer.forget(e.frozen_now ?? []);
      }
      expect(numTensors()).toBe(before);
      if (!s.steps.some((st) => st.expected.error)) expect(maskSteps).toBeGreaterThan(0);
    });
  });
});
