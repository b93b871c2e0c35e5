import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Trainer } from "./trainer.js";
import { getScheduler } from "./optim/schedulers.js";
import { planRun } from "./train-plan.js";
import { onEvent, tempDir, tinySetup, trainLosses, values } from "../test/harness.js";
import { ScriptedEvaluator } from "../test/tiny-mlp.js";

/** Runs a setup and returns its summary with the events' types, step:end learning rates and eval steps. */
async function runAll(options: ConstructorParameters<typeof Trainer>[0], during?: (t: Trainer<any>) => void) {
  const trainer = new Trainer(options);
  const types: string[] = [];
  const lrs: number[] = [];
  const evals: number[] = [];
  const checkpoints: number[] = [];
  trainer.events.subscribe((e) => {
    types.push(e.type);
    if (e.type === "step:end") lrs.push(e.learningRates.default!);
    if (e.type === "eval:end") evals.push(e.step);
    if (e.type === "checkpoint:saved") checkpoints.push(e.step);
  });
  during?.(trainer);
  const summary = await trainer.run();
  return { summary, types, lrs, evals, checkpoints };
}

describe("Trainer: Hugging Face TrainingArguments semantics", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("maxSteps is the number of steps and the schedule's horizon, overrides epochs, and completes", async () => {
    // 4 micro-batches per epoch: 6 steps = one epoch and a half; epochs: 10 is overridden.
    expect(planRun({ batchesPerEpoch: 4, epochs: 10, maxSteps: 6 })).toEqual({
      stepsPerEpoch: 4,
      totalSteps: 6,
      numTrainEpochs: 2,
    });
    const dir = tempDir("max-steps");
    const { model, options } = tinySetup({ epochs: 10, maxSteps: 6, withEvaluator: true, checkpointDir: dir });
    const r = await runAll(options);
    expect(r.summary).toMatchObject({ steps: 6, status: "completed", stoppedEarly: false, epochs: 1.5 });
    // Linear decay over 6 steps, not over 10 epochs.
    r.lrs.forEach((lr, s) => expect(lr).toBeCloseTo(0.05 * ((6 - s) / 6), 12));
    // The last step ends the run's last (partial) epoch: evaluated and checkpointed there.
    expect(r.evals).toEqual([4, 6]);
    expect(r.checkpoints).toEqual([4, 6]);
    expect(r.types.slice(-3)).toEqual(["checkpoint:saved", "epoch:end", "run:end"]);
    model.dispose();

    // Resuming the finished run runs no step again and ends "completed" on the same weights.
    const again = tinySetup({ epochs: 10, maxSteps: 6, withEvaluator: true, resumeFrom: dir });
    const r2 = await runAll(again.options);
    expect(r2.types).toEqual(["run:start", "run:end"]);
    expect(r2.summary).toMatchObject({ steps: 6, status: "completed", stoppedEarly: false });
    again.model.dispose();
  });

  it("optim adamw_hf changes the updates; lrSchedulerType sets the schedule; warmupSteps overrides warmupRatio", async () => {
    const torch = tinySetup({ epochs: 1 });
    const hf = tinySetup({ epochs: 1, optim: "adamw_hf" });
    const [lt, lh] = [await trainLosses(torch), await trainLosses(hf)];
    expect(lt[0]).toBe(lh[0]); // same start
    expect(lh.slice(1)).not.toEqual(lt.slice(1));
    for (const s of [torch, hf]) s.model.dispose();

    for (const type of ["cosine", "constant", "constant_with_warmup", "polynomial"] as const) {
      const s = tinySetup({
        epochs: 2,
        lrSchedulerType: type,
        warmupRatio: 0.5,
        warmupSteps: 2,
        lrSchedulerKwargs: { lrEnd: 0.01, power: 2 },
      });
      const r = await runAll(s.options);
      const f = getScheduler(type, { warmupSteps: 2, totalSteps: 8, baseLr: 0.05, kwargs: { lrEnd: 0.01, power: 2 } });
      r.lrs.forEach((lr, step) => expect(lr, `${type} step ${step}`).toBeCloseTo(0.05 * f(step), 12));
      s.model.dispose();
    }
  });

  it("writes trainer_state.json with HF's field names in every checkpoint and in the output folder", async () => {
    const out = tempDir("state");
    const dir = join(out, "checkpoints");
    const evaluator = new ScriptedEvaluator([0.3, 0.9, 0.5, 0.4]);
    const { model, options } = tinySetup({
      epochs: 4,
      evaluator,
      loggingSteps: 3,
      checkpointDir: dir,
      checkpointLimit: 2,
      runInfo: { runId: "s", outputDir: out },
    });
    const r = await runAll(options);
    const state = JSON.parse(readFileSync(join(out, "trainer_state.json"), "utf8"));
    expect(state).toMatchObject({
      global_step: 16,
      max_steps: 16,
      num_train_epochs: 4,
      logging_steps: 3,
      epoch: 4,
      best_metric: 0.9,
    });
    expect(state.best_model_checkpoint).toBe(join(dir, "checkpoint-8"));
    const train = state.log_history.filter((e: Record<string, number>) => "loss" in e);
    expect(train.map((e: Record<string, number>) => e.step)).toEqual([3, 6, 9, 12, 15]);
    expect(Object.keys(train[0]).sort()).toEqual(["epoch", "grad_norm", "learning_rate", "loss", "step"]);
    expect(train[0].epoch).toBe(0.75);
    // HF logs the scheduler's rate after its step, i.e. the rate of the next step.
    expect(train[0].learning_rate).toBeCloseTo((0.05 * (16 - 3)) / 16, 12);
    const evals = state.log_history.filter((e: Record<string, number>) => "eval_score" in e);
    expect(evals.map((e: Record<string, number>) => [e.step, e.eval_score])).toEqual([
      [4, 0.3],
      [8, 0.9],
      [12, 0.5],
      [16, 0.4],
    ]);
    expect(state.log_history.at(-1)).toMatchObject({ step: 16, epoch: 4 });
    expect(Object.keys(state.log_history.at(-1)).sort()).toEqual([
      "epoch",
      "step",
      "total_flos",
      "train_loss",
      "train_runtime",
      "train_steps_per_second",
    ]);
    // save_total_limit 2 keeps the newest two and the best; each has its own trainer_state.json.
    expect(r.checkpoints).toEqual([4, 8, 12, 16]);
    for (const s of [8, 12, 16]) expect(existsSync(join(dir, `checkpoint-${s}`, "trainer_state.json"))).toBe(true);
    expect(existsSync(join(dir, "checkpoint-4"))).toBe(false);
    const at8 = JSON.parse(readFileSync(join(dir, "checkpoint-8", "trainer_state.json"), "utf8"));
    expect(at8).toMatchObject({ global_step: 8, best_metric: 0.9, best_model_checkpoint: join(dir, "checkpoint-8") });
    model.dispose();
  });

  it("metricForBestModel + greaterIsBetter: a loss is minimised (the default for names ending in loss)", async () => {
    class LossEvaluator extends ScriptedEvaluator {
      override evaluate() {
        return { accuracy: 0.5, loss: super.evaluate().score! };
      }
    }
    const run = async (o: { metricForBestModel: string; greaterIsBetter?: boolean }) => {
      const { model, options } = tinySetup({ epochs: 3, evaluator: new LossEvaluator([0.8, 0.2, 0.6]), ...o });
      const r = await runAll(options);
      model.dispose();
      return r.summary.bestMetric;
    };
    expect(await run({ metricForBestModel: "eval_loss" })).toEqual({ metric: "loss", value: 0.2, step: 8 });
    expect(await run({ metricForBestModel: "loss", greaterIsBetter: true })).toEqual({
      metric: "loss",
      value: 0.8,
      step: 4,
    });
  });

  it("early stopping as HF's EarlyStoppingCallback: patience counts evaluations without an improvement above the threshold", async () => {
    const run = async (scores: number[], patience: number, threshold = 0) => {
      const dir = tempDir("es");
      const { model, options } = tinySetup({
        epochs: 1,
        evalEvery: 1,
        evaluator: new ScriptedEvaluator(scores),
        earlyStoppingPatience: patience,
        earlyStoppingThreshold: threshold,
        checkpointDir: dir,
        checkpointEvery: 100,
      });
      const r = await runAll(options);
      model.dispose();
      return r;
    };
    // 0.5 best; 0.55 improves by 0.05 (> 0.01); 0.555 and 0.5 do not: stop after the 4th evaluation.
    const a = await run([0.5, 0.55, 0.555, 0.5], 2, 0.01);
    expect(a.evals).toEqual([1, 2, 3, 4]);
    expect(a.summary).toMatchObject({ steps: 4, status: "completed" }); // 4 steps is the whole run
    const b = await run([0.5, 0.4, 0.3, 0.9], 2);
    expect(b.evals).toEqual([1, 2, 3]);
    expect(b.summary).toMatchObject({
      steps: 3,
      status: "stopped early",
      stoppedEarly: true,
      bestMetric: { value: 0.5, step: 1 },
    });
    expect(b.checkpoints).toEqual([3]); // a stop checkpoints
    // NaN is never an improvement (nor the best).
    const c = await run([0.5, NaN, NaN, 0.9], 2);
    expect(c.evals).toEqual([1, 2, 3]);
    expect(c.summary.bestMetric).toEqual({ metric: "score", value: 0.5, step: 1 });
    expect(() => new Trainer({ ...tinySetup().options, earlyStoppingPatience: 2 })).toThrow(
      /earlyStoppingPatience: early stopping needs an evaluator/,
    );
  });

  it("the early-stopping patience survives a resume", async () => {
    const dir = tempDir("es-resume");
    const common = {
      epochs: 2,
      evalEvery: 1,
      earlyStoppingPatience: 3,
      checkpointDir: dir,
      checkpointEvery: 1,
    } as const;
    // 0.5, then no improvement twice; stopped by a plugin after step 3; resumed, one more miss stops it.
    const first = tinySetup({
      ...common,
      evaluator: new ScriptedEvaluator([0.5, 0.4, 0.4]),
      plugins: [onEvent("stop", (e, ctx) => e.type === "eval:end" && e.step === 3 && ctx.control.requestStop("test"))],
    });
    await runAll(first.options);
    const second = tinySetup({ ...common, resumeFrom: dir, evaluator: new ScriptedEvaluator([0.45, 0.9]) });
    const r = await runAll(second.options);
    expect(r.evals).toEqual([4]);
    expect(r.summary).toMatchObject({ steps: 4, status: "stopped early" });
    for (const s of [first, second]) s.model.dispose();
  });

  it("interrupt(): finishes the step, checkpoints without an extra evaluation, ends 'interrupted'; the resumed run equals the uninterrupted one", async () => {
    const common = { epochs: 3, dropout: 0.2, warmupRatio: 0.2, withEvaluator: true, checkpointEvery: 100 } as const;
    const full = tinySetup(common);
    const fullLosses = await trainLosses(full);
    const dir = tempDir("interrupt");
    const first = tinySetup({ ...common, checkpointDir: dir });
    const losses: number[] = [];
    const r = await runAll(first.options, (t) =>
      t.events.subscribe((e) => {
        if (e.type === "step:end") losses.push(e.loss);
        // As a signal handler would: between steps, from outside the trainer.
        if (e.type === "step:end" && e.step === 4) setImmediate(() => t.interrupt("SIGINT"));
      }),
    );
    expect(r.summary).toMatchObject({ status: "interrupted", stoppedEarly: true });
    // The handler ran while step 4 finished: that step is the last, and it is checkpointed.
    expect(r.summary.steps).toBe(5);
    expect(r.evals).toEqual([4]); // only the scheduled evaluation, none for the interrupt
    expect(r.checkpoints).toEqual([5]);
    const second = tinySetup({ ...common, checkpointDir: dir, resumeFrom: dir });
    const resumed = await trainLosses(second);
    expect([...losses, ...resumed]).toEqual(fullLosses);
    expect(values(second.model)).toEqual(values(full.model));
    for (const s of [full, first, second]) s.model.dispose();
  });

  it("on open, removes orphaned checkpoint temp folders; resumes from the newest checkpoint when latest was deleted", async () => {
    const dir = tempDir("orphans");
    const first = tinySetup({
      epochs: 2,
      checkpointDir: dir,
      plugins: [onEvent("stop", (e, ctx) => e.type === "step:end" && e.step === 5 && ctx.control.requestStop("test"))],
    });
    await runAll(first.options);
    rmSync(join(dir, "latest"));
    mkdirSync(join(dir, ".checkpoint-8.tmp-4194305-0badf00d")); // a writer killed mid-checkpoint
    const second = tinySetup({ epochs: 2, checkpointDir: dir, resumeFrom: dir });
    const r = await runAll(second.options);
    expect(r.types.filter((t) => t === "step:end")).toHaveLength(2); // from checkpoint-6, not from scratch
    expect(readdirSync(dir).filter((n) => n.startsWith(".")).length).toBe(0);
    for (const s of [first, second]) s.model.dispose();
  });

  it("a resume refuses changed hyperparameters, naming the one that changed", async () => {
    const dir = tempDir("resume-hyper");
    const first = tinySetup({
      checkpointDir: dir,
      plugins: [onEvent("stop", (e, ctx) => e.type === "step:end" && e.step === 1 && ctx.control.requestStop("test"))],
    });
    await runAll(first.options);
    for (const [change, msg] of [
      [
        { optimizer: { lr: 0.01, weightDecay: 0.01 } },
        /state\.json: lr is 0\.05 but this run has 0\.01; a resume continues the same run/,
      ],
      [{ optim: "adamw_hf" as const }, /optim is "adamw_torch" but this run has "adamw_hf"/],
      [{ lrSchedulerType: "cosine" as const }, /lrSchedulerType is "linear" but this run has "cosine"/],
      [{ epochs: 3 }, /totalSteps is 8 but this run has 12/],
    ] as const) {
      const again = tinySetup({ checkpointDir: dir, resumeFrom: dir, ...change });
      await expect(new Trainer(again.options).run()).rejects.toThrow(msg);
      again.model.dispose();
    }
    first.model.dispose();
  });

  it("rejects bad HF options naming the field", () => {
    const { model, options } = tinySetup();
    expect(() => new Trainer({ ...options, loggingSteps: 0 })).toThrow(/loggingSteps: expected a positive integer/);
    expect(() => new Trainer({ ...options, lrSchedulerType: "step" as never })).toThrow(
      /lrSchedulerType: expected one of/,
    );
    expect(() => new Trainer({ ...options, optim: "sgd" as never })).toThrow(
      /optim: expected one of adamw_torch, adamw_hf/,
    );
    expect(() => new Trainer({ ...options, nanPolicy: "ignore" as never })).toThrow(
      /nanPolicy: expected one of stop, skip-step/,
    );
    expect(() => new Trainer({ ...options, maxSteps: 2.5 })).toThrow(/maxSteps: expected a positive integer/);
    model.dispose();
  });
});
