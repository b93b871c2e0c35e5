import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { filter } from "rxjs";
import { beforeAll, describe, expect, it } from "vitest";
import type { TrainerEvent } from "./events.js";
import { Trainer } from "./trainer.js";
import { LossLogger } from "./examples/loss-logger.js";
import { freezeAt, onEvent, tempDir, tinySetup, trainLosses, values } from "../test/harness.js";
import { ScriptedEvaluator } from "../test/tiny-mlp.js";

function describeEvent(e: TrainerEvent): string {
  switch (e.type) {
    case "run:start":
      return `run:start total=${e.totalSteps} perEpoch=${e.stepsPerEpoch} backend=${e.backend}`;
    case "epoch:start":
    case "epoch:end":
      return `${e.type} epoch=${e.epoch} step=${e.step}`;
    case "step:start":
      return `step:start ${e.step}`;
    case "step:gradients":
      return `step:gradients ${e.step} [${[...e.gradients.keys()].join(",")}]`;
    case "step:end":
      return `step:end ${e.step} trainable=${e.trainable.trainableWithoutHead}`;
    case "params:frozen":
      return `params:frozen ${e.step} [${e.names.join(",")}] trainable=${e.trainable.trainableWithoutHead}`;
    case "eval:end":
      return `eval:end step=${e.step} epoch=${e.epoch}`;
    case "checkpoint:saved":
      return `checkpoint:saved step=${e.step} ${e.path.split("/").pop()}`;
    case "run:end":
      return `run:end step=${e.step}`;
    case "run:error":
      return `run:error ${e.error.message}`;
  }
}

const ALL = "hidden.weight,hidden.bias,classifier.weight,classifier.bias";
const AFTER = "hidden.bias,classifier.weight,classifier.bias";

describe("Trainer", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("emits the documented event order for 2 epochs with an evaluation, a checkpoint and a freeze", async () => {
    const dir = tempDir("golden");
    const late: string[] = [];
    const { model, options } = tinySetup({
      withEvaluator: true,
      gradientAccumulation: 2,
      checkpointDir: dir,
      // The freeze happens in a step:end handler; the late subscriber (attached after it) must still see step:end first.
      plugins: [freezeAt(1, ["hidden.weight"]), onEvent("late", (e) => late.push(describeEvent(e)))],
    });
    const trainer = new Trainer(options);
    const seen: string[] = [];
    const lrs: Record<string, number>[] = [];
    trainer.events.subscribe((e) => {
      seen.push(describeEvent(e));
      if (e.type === "step:end") lrs.push(e.learningRates);
    });
    const summary = await trainer.run();
    const golden = [
      "run:start total=4 perEpoch=2 backend=cpu",
      "epoch:start epoch=0 step=0",
      "step:start 0",
      `step:gradients 0 [${ALL}]`,
      "step:end 0 trainable=30",
      "step:start 1",
      `step:gradients 1 [${ALL}]`,
      "step:end 1 trainable=30",
      "params:frozen 1 [hidden.weight] trainable=6",
      "eval:end step=2 epoch=0",
      "checkpoint:saved step=2 checkpoint-2",
      "epoch:end epoch=0 step=2",
      "epoch:start epoch=1 step=2",
      "step:start 2",
      `step:gradients 2 [${AFTER}]`,
      "step:end 2 trainable=6",
      "step:start 3",
      `step:gradients 3 [${AFTER}]`,
      "step:end 3 trainable=6",
      "eval:end step=4 epoch=1",
      "checkpoint:saved step=4 checkpoint-4",
      "epoch:end epoch=1 step=4",
      "run:end step=4",
    ];
    expect(seen).toEqual(golden);
    expect(late).toEqual(golden); // plugins attach just before run:start
    [0.05, 0.0375, 0.025, 0.0125].forEach((lr, i) => expect(lrs[i]!.default).toBeCloseTo(lr, 12));
    expect(summary).toMatchObject({
      steps: 4,
      epochs: 2,
      stoppedEarly: false,
      backend: "cpu",
      averageTrainableWithoutHead: (30 + 30 + 6 + 6) / 4,
    });
    expect(readFileSync(join(dir, "latest"), "utf8").trim()).toBe("checkpoint-4");
    expect(existsSync(join(dir, "checkpoint-2", "tensors.safetensors"))).toBe(true);
    const state = JSON.parse(readFileSync(join(dir, "checkpoint-4", "state.json"), "utf8"));
    expect(state.registry["hidden.weight"]).toEqual({ trainable: false, frozenAt: { step: 1, reason: "test" } });
    expect(Object.keys(state.optimizer.steps).sort()).toEqual(AFTER.split(",").sort());
    expect(model.params.get("hidden.weight").frozenAt).toEqual({ step: 1, reason: "test" });
    model.dispose();
  });

  it("keeps tf.memory().numTensors flat over many steps with freezing and evaluation", async () => {
    const before = tf.memory().numTensors;
    const { model, options } = tinySetup({
      withEvaluator: true,
      epochs: 10,
      evalEvery: 3,
      warmupRatio: 0.1,
      maxGradNorm: 0.1,
      gradientAccumulation: 2,
      plugins: [freezeAt(5, ["hidden.weight", "hidden.bias"])],
    });
    const counts: number[] = [];
    const trainer = new Trainer(options);
    trainer.events.subscribe((e) => {
      if (e.type === "step:start") counts.push(tf.memory().numTensors);
    });
    const parameters = tf.memory().numTensors;
    await trainer.run();
    expect(counts.length).toBe(20);
    expect(new Set(counts.slice(7)).size).toBe(1); // after the freeze and the first evaluation nothing grows
    expect(tf.memory().numTensors).toBe(parameters);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("same seed, same backend: identical losses; another seed: different ones", async () => {
    const opts = { dropout: 0.25, warmupRatio: 0.25, maxGradNorm: 1 };
    const a = tinySetup({ ...opts, seed: 3 });
    const b = tinySetup({ ...opts, seed: 3 });
    const c = tinySetup({ ...opts, seed: 4 });
    const [la, lb, lc] = [await trainLosses(a), await trainLosses(b), await trainLosses(c)];
    expect(la).toHaveLength(8);
    expect(lb).toEqual(la);
    expect(lc).not.toEqual(la);
    for (const s of [a, b, c]) s.model.dispose();
  });

  it("resumes a run stopped after step k bit-exactly (weights, moments, schedule, RNG, data position, plugin state)", async () => {
    const tensorsBefore = tf.memory().numTensors;
    const common = {
      dropout: 0.2,
      epochs: 3,
      warmupRatio: 0.2,
      maxGradNorm: 0.5,
      checkpointEvery: 100 as const,
    } as const;
    const fullLogger = new LossLogger({ write: () => undefined });
    const full = tinySetup({ ...common, plugins: [freezeAt(7, ["hidden.weight"]), fullLogger] });
    const fullLosses = await trainLosses(full);
    expect(fullLosses).toHaveLength(12);

    const dir = tempDir("resume");
    const k = 5;
    const first = tinySetup({
      ...common,
      checkpointDir: dir,
      plugins: [
        freezeAt(7, ["hidden.weight"]),
        new LossLogger({ write: () => undefined }),
        onEvent("stop", (e, ctx) => e.type === "step:end" && e.step === k - 1 && ctx.control.requestStop("test stop")),
      ],
    });
    const firstTrainer = new Trainer(first.options);
    const firstLosses: number[] = [];
    firstTrainer.events.subscribe((e) => e.type === "step:end" && firstLosses.push(e.loss));
    const s1 = await firstTrainer.run();
    expect(s1).toMatchObject({ steps: k, stoppedEarly: true });
    expect(readFileSync(join(dir, "latest"), "utf8").trim()).toBe(`checkpoint-${k}`);

    // A fresh model with other initial weights: everything must come from the checkpoint.
    const resumedLogger = new LossLogger({ write: () => undefined });
    const second = tinySetup({
      ...common,
      seed: 11,
      resumeFrom: dir,
      plugins: [freezeAt(7, ["hidden.weight"]), resumedLogger],
    });
    tf.tidy(() => second.options.model.params.get("hidden.weight").variable.assign(tf.zeros([4, 6])));
    const resumed = new Trainer(second.options);
    const events: string[] = [];
    const resumedLosses: number[] = [];
    resumed.events.subscribe((e) => {
      if (e.type === "step:end") resumedLosses.push(e.loss);
      if (e.type === "run:start") events.push(`start@${e.startStep}`);
      if (e.type === "epoch:start") events.push(`epoch ${e.epoch}@${e.step}`);
    });
    const s2 = await resumed.run();
    expect(events).toEqual(["start@5", "epoch 1@5", "epoch 2@8"]);
    expect([...firstLosses, ...resumedLosses]).toEqual(fullLosses);
    expect(values(second.model)).toEqual(values(full.model));
    expect(resumedLogger.meanLoss).toBe(fullLogger.meanLoss);
    expect(second.model.params.get("hidden.weight").frozenAt).toEqual({ step: 7, reason: "test" });
    expect(s2).toMatchObject({ steps: 12, epochs: 3 });
    for (const s of [full, first, second]) s.model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    const otherSeed = tinySetup({ ...common, seed: 12, resumeFrom: dir });
    await expect(new Trainer(otherSeed.options).run()).rejects.toThrow(/state\.json: seed is 11 but this run has 12/);
    otherSeed.model.dispose();
  });

  it("checkpoints a Stateful's JSON and tensors and hands them back on resume", async () => {
    const dir = tempDir("stateful");
    const saved = {
      json: { note: "ema", n: 3 },
      tensors: { ema: { data: new Float32Array([1.5, -2, 0.25, 4]), shape: [2, 2] }, raw: new Float32Array([7, 8, 9]) },
    };
    let loaded: unknown = null;
    const part = { stateKey: "ema-state", saveState: () => saved, loadState: (s: unknown) => void (loaded = s) };
    const stopAt2 = onEvent(
      "stop",
      (e, ctx) => e.type === "step:end" && e.step === 1 && ctx.control.requestStop("test"),
    );
    const a = tinySetup({ checkpointDir: dir, stateful: [part], plugins: [stopAt2] });
    await new Trainer(a.options).run();
    const b = tinySetup({ resumeFrom: dir, stateful: [part] });
    await new Trainer(b.options).run();
    expect(loaded).toEqual({
      json: { note: "ema", n: 3 },
      tensors: {
        ema: { data: new Float32Array([1.5, -2, 0.25, 4]), shape: [2, 2] },
        raw: { data: new Float32Array([7, 8, 9]), shape: [3] },
      },
    });
    const c = tinySetup({ resumeFrom: dir, stateful: [{ ...part, stateKey: "other" }] });
    await expect(new Trainer(c.options).run()).rejects.toThrow(/state\.json: no state for "other"/);
    for (const s of [a, b, c]) s.model.dispose();
  });

  it("saves a checkpoint after the step in which a plugin asked for one", async () => {
    const dir = tempDir("requested");
    const { model, options } = tinySetup({
      epochs: 1,
      checkpointDir: dir,
      checkpointEvery: 100,
      plugins: [onEvent("ask", (e, ctx) => e.type === "step:end" && e.step === 0 && ctx.control.requestCheckpoint())],
    });
    const trainer = new Trainer(options);
    const seen: string[] = [];
    trainer.events.subscribe((e) => seen.push(describeEvent(e)));
    await trainer.run();
    expect(seen.filter((l) => l.startsWith("checkpoint"))).toEqual(["checkpoint:saved step=1 checkpoint-1"]);
    expect(seen.indexOf("checkpoint:saved step=1 checkpoint-1")).toBe(seen.indexOf("step:end 0 trainable=30") + 1);
    model.dispose();
  });

  it("stops early on a plugin's request after evaluating and checkpointing", async () => {
    const dir = tempDir("early");
    const { model, options } = tinySetup({
      withEvaluator: true,
      evalEvery: 2,
      checkpointDir: dir,
      checkpointEvery: 100,
      plugins: [
        onEvent(
          "early-stopping",
          (e, ctx) => e.type === "eval:end" && e.step === 2 && ctx.control.requestStop("no improvement"),
        ),
      ],
    });
    const trainer = new Trainer(options);
    const seen: string[] = [];
    trainer.events.subscribe((e) => seen.push(describeEvent(e)));
    const summary = await trainer.run();
    expect(seen.slice(-5)).toEqual([
      "step:end 1 trainable=30",
      "eval:end step=2 epoch=0",
      "checkpoint:saved step=2 checkpoint-2",
      "epoch:end epoch=0 step=2",
      "run:end step=2",
    ]);
    expect(summary).toMatchObject({ steps: 2, epochs: 0.5, stoppedEarly: true });
    model.dispose();
  });

  it("restores the weights of the best evaluation at the end (load_best_model_at_end)", async () => {
    const atEval: Record<string, number[]>[] = [];
    const run = async (loadBestModelAtEnd: boolean) => {
      const evaluator = new ScriptedEvaluator([0.3, 0.9, 0.5]);
      const { model, options } = tinySetup({ epochs: 3, evaluator, loadBestModelAtEnd });
      const trainer = new Trainer(options);
      trainer.events.subscribe((e) => e.type === "eval:end" && atEval.push(values(model)));
      const selections: unknown[] = [];
      trainer.events.subscribe((e) => e.type === "eval:end" && selections.push(e.selection));
      const summary = await trainer.run();
      return { model, summary, selections };
    };
    const best = await run(true);
    expect(best.selections).toEqual([
      { metric: "score", value: 0.3, isBest: true },
      { metric: "score", value: 0.9, isBest: true },
      { metric: "score", value: 0.5, isBest: false },
    ]);
    expect(best.summary.bestMetric).toEqual({ metric: "score", value: 0.9, step: 8 });
    expect(values(best.model)).toEqual(atEval[1]);
    expect(values(best.model)).not.toEqual(atEval[2]);
    const last = await run(false);
    expect(values(last.model)).toEqual(atEval[5]);
    best.model.dispose();
    last.model.dispose();
  });

  it("a plugin that throws fails the run with run:error and the same error, without leaking", async () => {
    const { model, options } = tinySetup({
      plugins: [
        onEvent("broken", (e) => {
          if (e.type === "step:end" && e.step === 2) throw new Error("plugin broke");
        }),
      ],
    });
    const trainer = new Trainer(options);
    const types: string[] = [];
    trainer.events.subscribe((e) => types.push(e.type === "run:error" ? `run:error ${e.error.message}` : e.type));
    const before = tf.memory().numTensors;
    await expect(trainer.run()).rejects.toThrow("plugin broke");
    expect(types.slice(-2)).toEqual(["step:end", "run:error plugin broke"]);
    expect(tf.memory().numTensors).toBe(before);
    await expect(trainer.run()).rejects.toThrow(/runs once/);
    model.dispose();

    // The same through an operator chain, and from run:start.
    const piped = tinySetup({
      plugins: [
        {
          name: "piped",
          attach: (ctx) =>
            void ctx.events.pipe(filter((e) => e.type === "run:start")).subscribe(() => {
              throw new Error("bad start");
            }),
        },
      ],
    });
    const t2 = new Trainer(piped.options);
    const errors: string[] = [];
    t2.events.subscribe((e) => e.type === "run:error" && errors.push(e.error.message));
    await expect(t2.run()).rejects.toThrow("bad start");
    expect(errors).toEqual(["bad start"]);
    piped.model.dispose();
  });

  it("rejects bad options naming the field", () => {
    const { model, options } = tinySetup();
    expect(() => new Trainer({ ...options, evalEvery: 0 })).toThrow(
      /evalEvery: expected "epoch" or a positive integer/,
    );
    expect(() => new Trainer({ ...options, gradientAccumulation: 1.5 })).toThrow(/gradientAccumulation/);
    expect(() => new Trainer({ ...options, epochs: 0 })).toThrow(/epochs/);
    model.dispose();
  });
});
