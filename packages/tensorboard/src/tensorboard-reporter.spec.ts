import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Subject } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParameterRegistry, RunControl, type RunSummary, type TrainableCounts, type TrainerEvent } from "@aflora/core";
import { readEventFile, scalarSeries } from "./event-file-reader.js";
import { pngSize } from "./png-size.js";
import { TensorBoardReporter } from "./tensorboard-reporter.js";
import { TAGS } from "./tags.js";

const A0 = "deberta.encoder.layer.0.intermediate.dense.lora_A.weight";
const B0 = "deberta.encoder.layer.0.intermediate.dense.lora_B.weight";
const counts = (trainableWithoutHead: number): TrainableCounts => ({
  total: 100,
  trainable: trainableWithoutHead + 2,
  trainableWithoutHead,
  byGroup: {},
});
const lrs = (s: number) => ({ "head-no-decay": 0.1 * s, head: 0.1 * s, "no-decay": 0.01 * s, default: 0.01 * s });

// tidy keeps the variable and disposes the zeros it was made from.
const zeros = (shape: number[]) => tf.tidy(() => tf.variable(tf.zeros(shape)));

const root = mkdtempSync(join(tmpdir(), "tb-reporter-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** A 4-step run: eval after step 1 (nothing frozen) and after step 4 (A0 frozen at step index 1). */
const summary = {
  steps: 4,
  epochs: 2,
  finalLoss: 0.625,
  averageTrainableWithoutHead: 48,
  wallTimeMs: 1,
  stoppedEarly: false,
  status: "completed",
  skippedSteps: 0,
  backend: "cpu",
} as RunSummary;

async function simulateRun(outputDir: string, options = { logDir: "runs", heatmap: true }) {
  const before = tf.memory().numTensors;
  const params = new ParameterRegistry();
  params.register(A0, zeros([4, 8]), { group: "adapter-matrix", trainable: true });
  params.register(B0, zeros([8, 4]), { group: "adapter-matrix", trainable: true });
  params.register("classifier.weight", zeros([2, 2]), { group: "head", trainable: true });
  const events = new Subject<TrainerEvent>();
  const reporter = new TensorBoardReporter(options, { host: "testhost", now: () => 1_700_000_000_000 });
  const run = { runId: "r", totalSteps: 4, stepsPerEpoch: 2, epochs: 2, seed: 1, outputDir };
  const detach = reporter.attach({ events, params, control: new RunControl(), run });
  events.next({
    type: "run:start",
    runId: "r",
    totalSteps: 4,
    stepsPerEpoch: 2,
    epochs: 2,
    backend: "cpu",
    startStep: 0,
    trainable: counts(64),
  });
  for (let s = 0; s < 4; s++) {
    events.next({ type: "step:start", step: s, epoch: s >> 1 });
    events.next({
      type: "step:end",
      step: s,
      epoch: s >> 1,
      loss: 1 - s / 8,
      learningRates: lrs(s),
      gradNorm: 2 + s,
      trainable: counts(s <= 1 ? 64 : 32),
    });
    if (s === 1) {
      params.currentStep = 1;
      params.freeze([A0], "score below threshold");
      events.next({
        type: "params:frozen",
        step: 1,
        names: [A0],
        reason: "score below threshold",
        trainable: counts(32),
      });
    }
    if (s === 0 || s === 3)
      events.next({ type: "eval:end", step: s + 1, epoch: s >> 1, metrics: { accuracy: 0.5 + s / 10, f1: 0.25 } });
  }
  events.next({ type: "run:end", step: 4, summary });
  if (typeof detach === "function") detach();
  await reporter.flushed();
  params.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return reporter;
}

describe("TensorBoardReporter", () => {
  it("writes <run>/runs/events.out.tfevents.<time>.<host> with HF's tag names at HF's global step", async () => {
    const out = join(root, "run1");
    const reporter = await simulateRun(out);
    expect(readdirSync(join(out, "runs"))).toEqual(["events.out.tfevents.1700000000.testhost"]);
    const events = readEventFile(reporter.path!);
    expect(events[0]!.fileVersion).toBe("brain.Event:2");
    const s = scalarSeries(events);
    const at = (tag: string) => s.get(tag)!.map((p) => [p.step, p.value]);
    expect(at(TAGS.loss)).toEqual([
      [1, 1],
      [2, 0.875],
      [3, 0.75],
      [4, 0.625],
    ]);
    expect(at(TAGS.gradNorm)).toEqual([
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
    ]);
    expect(at(TAGS.epoch)).toEqual([
      [1, 0.5],
      [2, 1],
      [3, 1.5],
      [4, 2],
    ]);
    expect(at(TAGS.trainableParameters)).toEqual([
      [1, 64],
      [2, 64],
      [3, 32],
      [4, 32],
    ]);
    // The freeze made at step index 1 counts from that step's point on.
    expect(at(TAGS.frozenMatrices)).toEqual([
      [1, 0],
      [2, 1],
      [3, 1],
      [4, 1],
    ]);
    expect(s.get(TAGS.learningRate)!.map((p) => p.value)).toEqual([0, 0.01, 0.02, 0.03].map(Math.fround));
    expect(s.get("train/learning_rate/head")!.map((p) => p.value)).toEqual([0, 0.1, 0.2, 0.3].map(Math.fround));
    expect(s.get(TAGS.stepTime)!.every((p) => p.value >= 0 && p.value < 5)).toBe(true);
    expect(at("eval/accuracy")).toEqual([
      [1, 0.5],
      [4, Math.fround(0.8)],
    ]);
    expect(at("eval/f1")).toEqual([
      [1, 0.25],
      [4, 0.25],
    ]);
  });

  it("writes the freezing heatmap as a PNG image summary at each evaluation", async () => {
    const reporter = await simulateRun(join(root, "run2"));
    const images = readEventFile(reporter.path!).flatMap((e) =>
      (e.summary?.value ?? []).filter((v) => v.image).map((v) => ({ step: e.step, v })),
    );
    expect(images.map((i) => [i.step, i.v.tag])).toEqual([
      [1, TAGS.freezingHeatmap],
      [4, TAGS.freezingHeatmap],
    ]);
    for (const { v } of images) {
      const png = v.image!.encodedImageString;
      expect(pngSize(png)).toEqual({ width: v.image!.width, height: v.image!.height, channels: v.image!.colorspace });
      expect(v.image!.width).toBeGreaterThan(100);
    }
    // The second one shows A0 frozen: a different picture.
    expect(
      Buffer.from(images[0]!.v.image!.encodedImageString).equals(Buffer.from(images[1]!.v.image!.encodedImageString)),
    ).toBe(false);
  });

  it("writes no image with heatmap: false, and takes an absolute logDir as is", async () => {
    const dir = join(root, "elsewhere");
    const reporter = await simulateRun(join(root, "run3"), { logDir: dir, heatmap: false });
    expect(reporter.path!.startsWith(dir)).toBe(true);
    expect(readEventFile(reporter.path!).some((e) => e.summary?.value.some((v) => v.image))).toBe(false);
  });

  it("marks a resumed run's restart so TensorBoard drops the superseded points", () => {
    const params = new ParameterRegistry();
    const events = new Subject<TrainerEvent>();
    const reporter = new TensorBoardReporter({ logDir: join(root, "resumed"), heatmap: false }, { host: "h" });
    const detach = reporter.attach({
      events,
      params,
      control: new RunControl(),
      run: { runId: "r", totalSteps: 4, stepsPerEpoch: 2, epochs: 2, seed: 1, outputDir: null },
    });
    events.next({
      type: "run:start",
      runId: "r",
      totalSteps: 4,
      stepsPerEpoch: 2,
      epochs: 2,
      backend: "cpu",
      startStep: 2,
      trainable: counts(1),
    });
    if (typeof detach === "function") detach();
    expect(readEventFile(reporter.path!)[1]).toMatchObject({ step: 3, sessionLog: { status: 1 } });
  });

  it("refuses a relative logDir for a run without an output folder", () => {
    const reporter = new TensorBoardReporter({ logDir: "runs", heatmap: false });
    const run = { runId: "r", totalSteps: 1, stepsPerEpoch: 1, epochs: 1, seed: 1, outputDir: null };
    expect(() =>
      reporter.attach({
        events: new Subject<TrainerEvent>(),
        params: new ParameterRegistry(),
        control: new RunControl(),
        run,
      }),
    ).toThrow('tensorboard: logDir "runs" is relative but the run has no output folder');
  });
});
