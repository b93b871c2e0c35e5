import * as tf from "@tensorflow/tfjs-core";
import { AfloraScorer } from "@aflora/scorer";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { FreezingController, type FreezingStepDecision } from "./freezing-controller.js";
import { FixedScorer, Harness, ScriptedSchedule, useCpu, type ParamSpec } from "../test/harness.js";

beforeAll(useCpu);

// Three projection matrices, one feature vector and a head (excluded from the counts).
const PARAMS: ParamSpec[] = [
  { name: "l0.lora_A", shape: [2, 2], group: "adapter-matrix" },
  { name: "l0.lora_B", shape: [2, 1], group: "adapter-matrix" },
  { name: "l1.lora_A", shape: [1, 2], group: "adapter-matrix" },
  { name: "l0.lora_d", shape: [2], group: "adapter-vector" },
  { name: "classifier.weight", shape: [3], group: "head" },
];

let harness: Harness | null = null;
let tensorsBefore = 0;
afterEach(() => {
  harness?.dispose();
  harness = null;
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

function setup(
  schedule: ScriptedSchedule,
  scores: Record<string, number[]>,
  extra: Partial<ConstructorParameters<typeof FreezingController>[0]> = {},
) {
  tensorsBefore = tf.memory().numTensors;
  const scorer = new FixedScorer();
  scorer.scores = new Map(Object.entries(scores));
  const controller = new FreezingController({ scorer, schedule, ...extra });
  const decisions: FreezingStepDecision[] = [];
  controller.decisions.subscribe((d) => decisions.push(d));
  harness = new Harness(controller, PARAMS, { totalSteps: 10, stepsPerEpoch: 5, epochs: 2 }).start();
  return { scorer, controller, decisions, h: harness };
}

// Pool (8 elements) sorted: 0, 0.5, 0.5, 1, 2, 3, 4, 10. Means: l0.lora_A 2.5, l0.lora_B 0.5, l1.lora_A 5.
const SCORES = { "l0.lora_A": [1, 2, 3, 4], "l0.lora_B": [0.5, 0.5], "l1.lora_A": [10, 0] };

describe("FreezingController decisions (FORMAT.md §2.5–2.6)", () => {
  it("takes k = trunc(N·(1 − threshold)), the k-th smallest element, and freezes matrices whose MEAN is strictly below it", () => {
    const { decisions, h, controller, scorer } = setup(
      new ScriptedSchedule({ 2: { threshold: 0.5, mask: true } }),
      SCORES,
    );
    for (let t = 0; t < 3; t++) h.step(t);
    const d = decisions[2]!;
    expect(d.kth).toEqual({ poolSize: 8, k: 4, kReal: 4 });
    expect(d.maskThreshold).toBe(1);
    expect(Object.fromEntries(d.scores!)).toEqual({ "l0.lora_A": 2.5, "l0.lora_B": 0.5, "l1.lora_A": 5 });
    expect(d.frozen).toEqual(["l0.lora_B"]);
    expect(h.trainableMatrices()).toEqual(["l0.lora_A", "l1.lora_A"]);
    expect(scorer.forgotten).toEqual(["l0.lora_B"]);
    // the counts are taken before freezing: matrices 4 + 2 + 2, vector 2, head excluded
    expect(d.counts).toEqual({ trainableParams: 10, unfrozenMatrixParams: 8 });
    expect(controller.freezeRecord()).toEqual([
      { name: "l0.lora_B", step: 2, score: 0.5, threshold: 0.5, maskThreshold: 1, reason: "adaptive:fixed" },
    ]);
    expect(h.registry.get("l0.lora_B").frozenAt).toEqual({ step: 2, reason: "adaptive:fixed" });
    // the frozen matrix no longer reaches the scorer
    h.step(3);
    expect(scorer.updates.at(-1)).toEqual({ step: 3, names: ["l0.lora_A", "l1.lora_A"] });
  });

  it("uses strict <: a mean equal to the k-th value does not freeze", () => {
    const { decisions, h } = setup(new ScriptedSchedule({ 0: { threshold: 0.75, mask: true } }), SCORES);
    h.step(0);
    expect(decisions[0]!.kth!.k).toBe(2);
    expect(decisions[0]!.maskThreshold).toBe(0.5);
    expect(decisions[0]!.frozen).toEqual([]);
  });

  it("k == 0 freezes nothing and training goes on (the authors' code crashes in torch.kthvalue)", () => {
    const { decisions, h, controller } = setup(
      new ScriptedSchedule({ 1: { threshold: 0.9, mask: true }, 2: { threshold: 0.5, mask: true } }),
      SCORES,
    );
    for (let t = 0; t < 3; t++) h.step(t);
    expect(decisions[1]).toMatchObject({ kth: { poolSize: 8, k: 0 }, maskThreshold: null, frozen: [] });
    expect(controller.failure).toBeNull();
    expect(h.stopReason).toBeNull();
    expect(decisions[2]!.frozen).toEqual(["l0.lora_B"]);
  });

  it("accounts trainable parameters step-weighted and stops lazily at the next decision after everything froze", () => {
    const table = {
      2: { threshold: 0.5, mask: true },
      4: { threshold: 0, mask: true },
      6: { threshold: 0, mask: true },
      8: { threshold: 0, mask: true },
    };
    const { decisions, h, controller, scorer } = setup(new ScriptedSchedule(table), SCORES);
    for (let t = 0; t < 10; t++) h.step(t);
    // step 2: 10 trainable × 2 steps; step 4: threshold 0 → k-th = max element 10, both remaining means < 10 freeze
    expect(decisions[4]!.frozen).toEqual(["l0.lora_A", "l1.lora_A"]);
    expect(decisions[4]!.accumulated).toBe(10 * 2 + 8 * 2);
    // step 6: nothing left → acc += 2 × (T − last_step) = 2 × 6, stop; step 8 is skipped entirely
    expect(decisions[6]).toMatchObject({
      stopNow: true,
      counts: { trainableParams: 2, unfrozenMatrixParams: 0 },
      accumulated: 36 + 12,
      lastStep: 4,
    });
    expect(decisions[8]).toMatchObject({ skipped: true, stopNow: false, frozen: [] });
    expect(scorer.updates.map((u) => u.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(controller.accounting()).toEqual({
      accumulated: 48,
      lastStep: 4,
      stopped: true,
      stopStep: 6,
      averageTrainableParams: 4.8,
    });
  });

  it("pair granularity decides A and B of one module together by the average of their means", () => {
    const pairs: Record<string, number[]> = {
      "l0.lora_A": [0.2, 0.2, 0.2, 0.2],
      "l0.lora_B": [3, 3],
      "l1.lora_A": [1, 1],
    };
    // pool: 0.2×4, 1, 1, 3, 3 → threshold 0.125: k = 7, k-th = 3. Matrix means 0.2, 3, 1.
    const matrix = setup(new ScriptedSchedule({ 0: { threshold: 0.125, mask: true } }), pairs);
    matrix.h.step(0);
    expect(matrix.decisions[0]!.frozen).toEqual(["l0.lora_A", "l1.lora_A"]);
    harness!.dispose();
    harness = null;
    // pairs: l0 = (0.2 + 3)/2 = 1.6 < 3 → both freeze; l1 alone (its B is not tracked) = 1
    const pair = setup(new ScriptedSchedule({ 0: { threshold: 0.125, mask: true } }), pairs, { granularity: "pair" });
    pair.h.step(0);
    expect(pair.decisions[0]!.frozen).toEqual(["l0.lora_A", "l0.lora_B", "l1.lora_A"]);
    const record = pair.controller.freezeRecord();
    expect(record.map((r) => r.name)).toEqual(["l0.lora_A", "l0.lora_B", "l1.lora_A"]);
    // (mean(float32 0.2) + 3) / 2
    expect(record.map((r) => r.score)).toEqual([(Math.fround(0.2) + 3) / 2, (Math.fround(0.2) + 3) / 2, 1]);
  });

  it("reads gradients at step:gradients and decides at step:end, after the optimizer update", () => {
    const { decisions, h, scorer } = setup(new ScriptedSchedule({ 0: { threshold: 0.5, mask: true } }), SCORES);
    h.gradients(0);
    expect(scorer.updates).toEqual([{ step: 0, names: ["l0.lora_A", "l0.lora_B", "l1.lora_A"] }]);
    expect(decisions).toEqual([]);
    expect(h.trainableMatrices()).toHaveLength(3); // nothing frozen before the update
    h.end(0);
    expect(decisions[0]!.frozen).toEqual(["l0.lora_B"]);
  });

  it("fails the run loudly on a second step:gradients for one step, then ignores later events", () => {
    const { h, controller, scorer } = setup(new ScriptedSchedule({}), SCORES);
    h.gradients(0);
    expect(() => h.gradients(0)).toThrow(
      /^adaptive freezing failed at step 0: step:gradients for step 0 after step 0: the freezing scores are updated once per optimizer step/,
    );
    expect(controller.failure?.message).toMatch(/^adaptive freezing failed at step 0/);
    h.step(1);
    expect(scorer.updates.map((u) => u.step)).toEqual([0]);
  });

  it("fails the run when a trainable projection matrix has no gradient", () => {
    const { h } = setup(new ScriptedSchedule({}), SCORES);
    const g = new Map([["l0.lora_A", tf.zeros([2, 2])]]);
    expect(() => h.bus.emit({ type: "step:gradients", step: 0, epoch: 0, gradients: g, values: new Map() })).toThrow(
      'adaptive freezing failed at step 0: step:gradients at step 0 has no gradient for the trainable projection matrix "l0.lora_B"',
    );
    tf.dispose([...g.values()]);
  });

  it("refuses a schedule whose deltaT differs from the scorer's", () => {
    expect(
      () =>
        new FreezingController({
          scorer: new AfloraScorer({ beta1: 0.85, beta2: 0.95, deltaT: 10 }),
          schedule: Object.assign(new ScriptedSchedule({}), { deltaT: 5 }),
        }),
    ).toThrow(/schedule.deltaT \(5\) differs from scorer.deltaT \(10\)/);
  });
});

describe("gradient accumulation", () => {
  it("scores once per optimizer step, on the accumulated gradient", () => {
    tensorsBefore = tf.memory().numTensors;
    const scorer = new AfloraScorer({ beta1: 0.85, beta2: 0.95, deltaT: 10 });
    const controller = new FreezingController({ scorer, schedule: new ScriptedSchedule({}) });
    harness = new Harness(controller, [{ name: "m.lora_A", shape: [2, 2], group: "adapter-matrix" }]).start();
    const h = harness;
    const A = h.registry.get("m.lora_A").variable;
    tf.tidy(() =>
      A.assign(
        tf.tensor([
          [1, -1],
          [0.5, 2],
        ]),
      ),
    );
    // A trainer step with two micro-batches: loss_i = sum((x_i·A)²)/2, gradients summed over micro-batches.
    const microBatches = [tf.tensor([[1, 2]]), tf.tensor([[-3, 1]])];
    const accumulate = () =>
      tf.tidy(() => {
        const grads = microBatches.map(
          (x) => tf.variableGrads(() => tf.div(tf.sum(tf.square(tf.matMul(x, A))), 2) as tf.Scalar, [A]).grads[A.name]!,
        );
        return tf.addN(grads);
      });
    const emit = (t: number, g: tf.Tensor) => {
      h.registry.currentStep = t;
      h.bus.emit({
        type: "step:gradients",
        step: t,
        epoch: 0,
        gradients: new Map([["m.lora_A", g]]),
        values: new Map([["m.lora_A", A]]),
      });
      h.end(t);
    };
    const g0 = accumulate();
    const expected0 = Array.from(g0.dataSync(), (v) => Math.abs(v));
    emit(0, g0);
    expect([...scorer.statistics("m.lora_A")!.ipt]).toEqual(expected0);
    // the authors' loop calls the freezer per micro-batch with the same global_step; aflora refuses a second update
    expect(() => emit(0, g0)).toThrow(/once per optimizer step/);
    expect(controller.failure?.message).toMatch(/once per optimizer step/);
    tf.dispose([g0, ...microBatches]);
  });
});
