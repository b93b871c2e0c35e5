import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import {
  PluginRegistry,
  Trainer,
  checkpointName,
  type FreezingScorer,
  type Json,
  type TrackedMatrix,
  type TrainerPlugin,
} from "@aflora/core";
import { registerScorers } from "@aflora/scorer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFreezingController } from "./create-freezing-controller.js";
import { FreezingController } from "./freezing-controller.js";
import { registerSchedules } from "./register.js";
import { FixedBatches, TinyAdapterModel } from "../test/tiny-adapter-model.js";
import { useCpu } from "../test/harness.js";

const plugins = registerSchedules(registerScorers(new PluginRegistry()));
// 10 epochs × 4 micro-batches, accumulation 2 → 2 optimizer steps per epoch, T = 20.
// Cubic: W = 2, decisions at steps 4, 6, 8, 10 (ΔT = 2), then every step after T − 5·W = 10.
const CONFIG = {
  scorer: { name: "aflora", deltaT: 2 },
  schedule: { name: "cubic", initialWarmupEpochs: 1, finalWarmupEpochs: 5 },
};
const tmp = mkdtempSync(join(tmpdir(), "aflora-scheduler-"));

beforeAll(useCpu);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Delegates to a real scorer and records what it was given. */
class RecordingScorer implements FreezingScorer {
  readonly updates: { step: number; grads: Map<string, number[]> }[] = [];
  constructor(private readonly inner: FreezingScorer) {}
  get name() {
    return this.inner.name;
  }
  get stateKey() {
    return this.inner.stateKey;
  }
  get deltaT() {
    return this.inner.deltaT;
  }
  update(step: number, tracked: readonly TrackedMatrix[]): void {
    this.updates.push({ step, grads: new Map(tracked.map((t) => [t.name, Array.from(t.grad.dataSync())])) });
    this.inner.update(step, tracked);
  }
  elementScores(names: readonly string[]) {
    return this.inner.elementScores(names);
  }
  forget(names: readonly string[]) {
    this.inner.forget(names);
  }
  saveState() {
    return this.inner.saveState();
  }
  loadState(s: { json: Json; tensors: Record<string, { data: Float32Array; shape: number[] }> }) {
    this.inner.loadState(s);
  }
}

function trainer(model: TinyAdapterModel, controller: TrainerPlugin, extra: Record<string, unknown> = {}) {
  return new Trainer({
    model,
    train: new FixedBatches(3),
    epochs: 10,
    gradientAccumulation: 2,
    maxGradNorm: 0.05,
    optimizer: { lr: 0.05 },
    seed: 5,
    plugins: [controller],
    ...extra,
  });
}

describe("the freezing controller inside the core Trainer", () => {
  it("scores once per optimizer step on the accumulated (unclipped) gradient and freezes after that step's update", async () => {
    const before = tf.memory().numTensors;
    const model = new TinyAdapterModel(1);
    const base = createFreezingController(CONFIG, { plugins });
    const scorer = new RecordingScorer(base.scorer);
    const controller = new FreezingController({ scorer, schedule: base.schedule });
    const t = trainer(model, controller);
    const eventGrads = new Map<number, Map<string, number[]>>();
    const valueAtGradients = new Map<string, number[]>();
    const valueAtNextStart = new Map<string, number[]>();
    let frozenAt = new Map<string, number>();
    t.events.subscribe((e) => {
      if (e.type === "step:gradients") {
        eventGrads.set(
          e.step,
          new Map(
            [...e.gradients]
              .filter(([n]) => n.includes("lora_A") || n.includes("lora_B"))
              .map(([n, g]) => [n, Array.from(g.dataSync())]),
          ),
        );
        for (const [n, v] of e.values)
          if (n.includes("lora_")) valueAtGradients.set(`${e.step}:${n}`, Array.from(v.dataSync()));
      }
      if (e.type === "step:start")
        for (const p of model.params.list())
          valueAtNextStart.set(`${e.step}:${p.name}`, Array.from(p.variable.dataSync()));
    });
    await t.run();
    frozenAt = new Map(controller.freezeRecord().map((r) => [r.name, r.step]));

    // every matrix froze, at a decision step; the freezer stopped lazily at the next one
    expect([...frozenAt.keys()].sort()).toEqual(["l0.lora_A", "l0.lora_B", "l1.lora_A", "l1.lora_B"]);
    const stop = controller.accounting().stopStep!;
    expect(stop).toBeGreaterThan(Math.max(...frozenAt.values()));
    // one update per optimizer step (0 … stop), though the model ran 2 micro-batches per step
    expect(scorer.updates.map((u) => u.step)).toEqual(Array.from({ length: stop + 1 }, (_, i) => i));
    expect(model.calls).toBe(2 * 20);
    // the scorer saw exactly the gradients of step:gradients: the mean of the two micro-batches, before clipping
    for (const u of scorer.updates) for (const [n, g] of u.grads) expect(g).toEqual(eventGrads.get(u.step)!.get(n));
    // a matrix frozen at step t still received step t's update, and never changed afterwards
    for (const [n, step] of frozenAt) {
      const atGrad = valueAtGradients.get(`${step}:${n}`)!;
      const after = valueAtNextStart.get(`${step + 1}:${n}`)!;
      expect(after).not.toEqual(atGrad);
      expect(Array.from(model.params.get(n).variable.dataSync())).toEqual(after);
    }
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("resumes from a mid-schedule Trainer checkpoint with the same freezes as an uninterrupted run", async () => {
    const dir = join(tmp, "ckpt");
    const straightModel = new TinyAdapterModel(1);
    const straight = createFreezingController(CONFIG, { plugins });
    await trainer(straightModel, straight, { checkpointDir: dir, checkpointEvery: 5 }).run();
    const record = straight.freezeRecord();
    expect(record.length).toBe(4);
    // step 5 lies between decision steps 4 and 6 and inside a ΔT window: state must carry the window and the EMAs
    expect(Math.min(...record.map((r) => r.step))).toBeLessThanOrEqual(6);
    expect(Math.max(...record.map((r) => r.step))).toBeGreaterThan(5);

    const resumedModel = new TinyAdapterModel(99); // different init: everything must come from the checkpoint
    const resumed = createFreezingController(CONFIG, { plugins });
    await trainer(resumedModel, resumed, { resumeFrom: join(dir, checkpointName(5)) }).run();
    expect(resumed.freezeRecord()).toEqual(record);
    expect(resumed.accounting()).toEqual(straight.accounting());
    for (const p of straightModel.params.list())
      expect(Array.from(resumedModel.params.get(p.name).variable.dataSync()), p.name).toEqual(
        Array.from(p.variable.dataSync()),
      );
    straightModel.dispose();
    resumedModel.dispose();
  });
});
