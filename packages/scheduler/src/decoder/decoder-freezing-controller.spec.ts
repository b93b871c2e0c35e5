import "@tensorflow/tfjs-backend-cpu";
import {
  EventBus,
  ParameterRegistry,
  PluginRegistry,
  Tokens,
  type FreezingScorer,
  type Json,
  type TrackedMatrix,
} from "@aflora/core";
import { AfloraDecoderScorer, decoderScorerDefinitions } from "@aflora/scorer";
import * as tf from "@tensorflow/tfjs-core";
import { container } from "tsyringe";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { FREEZABLE_GROUP } from "../freezing-controller.js";
import { DecoderFreezingController, type DecoderFreezingDecision } from "./decoder-freezing-controller.js";
import { createDecoderFreezingController, decoderScheduleDefinitions } from "./definitions.js";
import { QuadraticFractionSchedule, type QuadraticFractionScheduleOptions } from "./quadratic-fraction-schedule.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

/** Fixed element scores per matrix; records the steps it was updated at. */
class FixedScorer implements FreezingScorer {
  readonly name = "fixed";
  readonly stateKey = "scorer:fixed";
  readonly deltaT = 1;
  readonly updates: number[] = [];
  constructor(private readonly scores: Record<string, number[]>) {}
  update(step: number, _tracked: readonly TrackedMatrix[]): void {
    this.updates.push(step);
  }
  elementScores(names: readonly string[]): Map<string, Float32Array> {
    return new Map(names.map((n) => [n, Float32Array.from(this.scores[n]!)]));
  }
  forget(): void {}
  saveState(): { json: Json } {
    return { json: null };
  }
  loadState(): void {}
}

// Two adapted projections: A/B with 2 elements each (8 freezable elements), lora_d with 2.
const PARAMS = [
  ["q.lora_A.weight", FREEZABLE_GROUP],
  ["q.lora_B.weight", FREEZABLE_GROUP],
  ["v.lora_A.weight", FREEZABLE_GROUP],
  ["v.lora_B.weight", FREEZABLE_GROUP],
  ["q.lora_d", "adapter-vector"],
] as const;

let registry: ParameterRegistry | null = null;
afterEach(() => registry?.dispose());

function drive(controller: DecoderFreezingController, totalSteps: number, steps: number): DecoderFreezingDecision[] {
  registry = new ParameterRegistry();
  for (const [name, group] of PARAMS)
    registry.register(name, tf.variable(tf.ones([2]), true, name), { group, trainable: true });
  const bus = new EventBus();
  const run = { runId: "t", totalSteps, stepsPerEpoch: totalSteps, epochs: 1, seed: 0, outputDir: null };
  controller.attach({
    events: bus.events,
    params: registry,
    control: { requestStop() {}, requestCheckpoint() {}, stopRequested: null },
    run,
  });
  const out: DecoderFreezingDecision[] = [];
  for (let step = 0; step < steps; step++) {
    const values = registry.trainableVariables();
    const gradients = new Map([...values].map(([n]) => [n, tf.ones([2])]));
    bus.emit({ type: "step:gradients", step, epoch: 0, gradients, values });
    for (const g of gradients.values()) g.dispose();
    out.push(controller.lastDecision!);
  }
  return out;
}

const schedule = (o: Partial<QuadraticFractionScheduleOptions>) =>
  new QuadraticFractionSchedule({
    initialWarmup: 0.3,
    finalWarmup: 0.3,
    initialThreshold: 1,
    finalThreshold: 0,
    deltaT: 1,
    ...o,
  });

const SCORES = {
  "q.lora_A.weight": [1, 3],
  "q.lora_B.weight": [5, 7],
  "v.lora_A.weight": [0, 2],
  "v.lora_B.weight": [10, 20],
};

describe("adaptive-freezing-decoder controller (FORMAT.md §2)", () => {
  it("decides at step:gradients, before the update: a matrix frozen at step t is already out of the trainable set", () => {
    // T = 10: warm-up t ≤ 3, ramp 4..7 (mul = (t − 3)/4), final from 8. t=5: threshold 0.75, k = trunc(8·0.25) = 2,
    // pool sorted 0,1,2,3,5,7,10,20 → 2nd = 1; means q.A 2, q.B 6, v.A 1, v.B 15: only v.A (1 < 1 is false) … none freezes.
    // t=6: threshold 1 − (3/4)² = 0.4375, k = trunc(4.5) = 4 → 3; v.A (1) and q.A (2) freeze.
    const c = new DecoderFreezingController(new FixedScorer(SCORES), schedule({}));
    const seen: string[][] = [];
    const d = drive(c, 10, 7);
    expect(d[5]!.kth).toEqual({ poolSize: 8, k: 2, kReal: 2 });
    expect([d[5]!.maskThreshold, d[5]!.frozen]).toEqual([1, []]);
    expect(d[6]!.kth).toEqual({ poolSize: 8, k: 4, kReal: 8 * (1 - 0.4375) });
    expect([d[6]!.maskThreshold, d[6]!.frozen]).toEqual([3, ["q.lora_A.weight", "v.lora_A.weight"]]);
    seen.push(registry!.names({ group: FREEZABLE_GROUP, trainable: true }));
    expect(seen[0]).toEqual(["q.lora_B.weight", "v.lora_B.weight"]);
    expect(c.freezeRecord().map((r) => [r.name, r.step, r.reason])).toEqual([
      ["q.lora_A.weight", 6, "adaptive:fixed"],
      ["v.lora_A.weight", 6, "adaptive:fixed"],
    ]);
  });

  it("documented choice for k < 1 (the reference's torch.kthvalue raises): nothing freezes and training goes on", () => {
    // t=4: threshold 1 − (1/4)² = 0.9375, k = trunc(8·0.0625) = 0
    const d = drive(new DecoderFreezingController(new FixedScorer(SCORES), schedule({})), 10, 6);
    expect(d[4]!.kth).toEqual({ poolSize: 8, k: 0, kReal: 0.5 });
    expect([d[4]!.maskThreshold, d[4]!.frozen, d[4]!.counts]).toEqual([
      null,
      [],
      { trainableParams: 10, unfrozenMatrixParams: 8 },
    ]);
    expect(d[5]!.mask).toBe(true);
  });

  it("documented choice for k > N (a final threshold below 0): the k-th value is the pool's largest element", () => {
    // warm-ups 0.5/0.5, T = 10: no ramp step; t=6 is in the final phase, k = trunc(8·1.5) = 12 > N = 8
    const d = drive(
      new DecoderFreezingController(
        new FixedScorer(SCORES),
        schedule({ initialWarmup: 0.5, finalWarmup: 0.5, finalThreshold: -0.5 }),
      ),
      10,
      7,
    );
    expect(d[6]!.kth).toEqual({ poolSize: 8, k: 12, kReal: 12 });
    expect(d[6]!.maskThreshold).toBe(20);
    expect(d[6]!.frozen).toHaveLength(4);
  });

  it("stops lazily at the next mask step with nothing left, accumulating trainable·steps as the reference does", () => {
    // t=7: mul = 1, threshold 0, k = N = 4 over q.B [5, 7] and v.B [10, 20]: the k-th is 20, both means are below it.
    const scorer = new FixedScorer(SCORES);
    const d = drive(new DecoderFreezingController(scorer, schedule({})), 10, 10);
    const frozenAt = new Map(d.flatMap((x) => x.frozen.map((n) => [n, x.step] as const)));
    expect(Object.fromEntries(frozenAt)).toEqual({
      "q.lora_A.weight": 6,
      "v.lora_A.weight": 6,
      "q.lora_B.weight": 7,
      "v.lora_B.weight": 7,
    });
    expect(d.findIndex((x) => x.stopNow)).toBe(8);
    // acc: t=4 +10·4, t=5 +10·1, t=6 +10·1, t=7 +6·1, stop at 8: +2·(10 − 7)
    expect(d[8]!.accumulated).toBe(40 + 10 + 10 + 6 + 6);
    expect(scorer.updates).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("after the stop, skips: no scorer update, no decision, the average is acc / T", () => {
    const c = new DecoderFreezingController(new FixedScorer(SCORES), schedule({}));
    const d = drive(c, 10, 10);
    expect([d[9]!.skipped, d[9]!.mask, d[9]!.counts]).toEqual([true, true, undefined]);
    expect(c.accounting()).toMatchObject({ stopped: true, stopStep: 8, averageTrainableParams: 7.2 });
  });

  it("refuses a schedule whose ΔT differs from the scorer's window", () => {
    expect(() => new DecoderFreezingController(new FixedScorer(SCORES), schedule({ deltaT: 10 }))).toThrow(
      /schedule.deltaT \(10\) differs from scorer.deltaT \(1\)/,
    );
  });
});

describe("adaptive-freezing-decoder as a plugin", () => {
  const plugins = new PluginRegistry();
  for (const d of [...decoderScorerDefinitions, ...decoderScheduleDefinitions]) plugins.register(d);
  const run = container.createChildContainer();
  run.register(Tokens.PluginRegistry, { useValue: plugins });

  it("defaults to the authors' decoder scorer and schedule, the schedule taking the scorer's ΔT", () => {
    const c = plugins.create<DecoderFreezingController>(
      "plugin",
      { name: "adaptive-freezing-decoder", scorer: { name: "aflora-decoder", deltaT: 7 } },
      run,
    );
    expect(c.scorer).toBeInstanceOf(AfloraDecoderScorer);
    expect(c.schedule.deltaT).toBe(7);
    const d = createDecoderFreezingController(undefined, { plugins });
    expect([d.scorer.name, d.schedule.name, d.schedule.deltaT]).toEqual(["aflora-decoder", "quadratic-fraction", 10]);
  });

  it("names the offending field", () => {
    expect(() =>
      createDecoderFreezingController({ scorer: { name: "aflora-decoder", beta1: 2 } }, { plugins }),
    ).toThrow(/^freezing\.scorer \(scorer "aflora-decoder"\): beta1:/);
    expect(() => plugins.create("plugin", { name: "adaptive-freezing-decoder", granularity: "pair" }, run)).toThrow(
      /granularity: unknown option/,
    );
  });
});
