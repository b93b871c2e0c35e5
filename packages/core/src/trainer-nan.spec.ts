import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { LossAndGradients } from "./model.js";
import { TrainingDivergedError } from "./non-finite.js";
import { Trainer } from "./trainer.js";
import { readCheckpoint } from "./io/checkpoint.js";
import { tempDir, tinySetup } from "../test/harness.js";
import { TinyMlp, type MlpBatch } from "../test/tiny-mlp.js";

/** A TinyMlp whose n-th forward/backward (0-based) returns a NaN loss or a NaN gradient. */
class FaultyMlp extends TinyMlp {
  calls = 0;
  constructor(
    seed: number,
    private readonly faults: Record<number, "loss" | "grad">,
  ) {
    super(seed);
  }
  override lossAndGradients(batch: MlpBatch, vars: ReadonlyMap<string, tf.Variable>): LossAndGradients {
    const r = super.lossAndGradients(batch, vars);
    const fault = this.faults[this.calls++];
    if (fault === "loss") {
      r.loss.dispose();
      return { loss: tf.scalar(NaN), grads: r.grads };
    }
    if (fault === "grad") {
      const g = r.grads.get("classifier.bias")!;
      r.grads.set("classifier.bias", tf.mul(g, Infinity));
      g.dispose();
    }
    return r;
  }
}

function faulty(faults: Record<number, "loss" | "grad">, extra: Parameters<typeof tinySetup>[0] = {}) {
  const s = tinySetup(extra);
  s.model.dispose();
  const model = new FaultyMlp(11, faults);
  return { model, options: { ...s.options, model } };
}

describe("Trainer: non-finite loss or gradients", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("stops by default with an error naming the step and the term; status diverged; latest stays the last good checkpoint", async () => {
    const dir = tempDir("nan-stop");
    const out = tempDir("nan-out");
    const { model, options } = faulty(
      { 5: "loss" },
      { checkpointDir: dir, checkpointEvery: 2, runInfo: { runId: "n", outputDir: out } },
    );
    const trainer = new Trainer(options);
    const errors: { status?: string; message: string }[] = [];
    const types: string[] = [];
    trainer.events.subscribe((e) => {
      types.push(e.type);
      if (e.type === "run:error") errors.push({ status: e.status, message: e.error.message });
    });
    const before = tf.memory().numTensors;
    const err = await trainer.run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as TrainingDivergedError).step).toBe(5);
    expect((err as TrainingDivergedError).term).toBe("loss");
    expect((err as Error).message).toMatch(
      /^training diverged at step 5: the loss is NaN \(loss term: the model's loss; every parameter is finite\)/,
    );
    expect(errors).toEqual([{ status: "diverged", message: (err as Error).message }]);
    expect(types.filter((t) => t === "step:end")).toHaveLength(5); // steps 0–4
    expect(readFileSync(join(dir, "latest"), "utf8").trim()).toBe("checkpoint-4");
    expect(
      readdirSync(dir)
        .filter((n) => n.startsWith("checkpoint-"))
        .sort(),
    ).toEqual(["checkpoint-2", "checkpoint-4"]);
    expect(JSON.parse(readFileSync(join(out, "trainer_state.json"), "utf8")).global_step).toBe(5);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("a non-finite gradient names the first non-finite gradient", async () => {
    const { model, options } = faulty({ 2: "grad" });
    await expect(new Trainer(options).run()).rejects.toThrow(
      /^training diverged at step 2: the gradient norm is Infinity; first non-finite gradient: "classifier\.bias"/,
    );
    model.dispose();
  });

  it("names the first non-finite parameter when the weights went bad, and never writes them into a checkpoint", async () => {
    const dir = tempDir("nan-weights");
    const { model, options } = tinySetup({ checkpointDir: dir, checkpointEvery: 1 });
    const trainer = new Trainer(options);
    trainer.events.subscribe((e) => {
      // A huge update makes the head's weights Inf after step 1 (as --lr 1e6 does).
      if (e.type === "step:end" && e.step === 1)
        model.params.get("classifier.weight").variable.assign(tf.fill([6, 3], Infinity));
    });
    await expect(trainer.run()).rejects.toThrow(
      /after step 2 "classifier\.weight" holds non-finite values, so checkpoint-2 is not written; the last good checkpoint stays "latest"/,
    );
    expect(readFileSync(join(dir, "latest"), "utf8").trim()).toBe("checkpoint-1");
    const ck = await readCheckpoint(dir);
    for (const [n, t] of ck.tensors) expect(t.data.every(Number.isFinite), n).toBe(true);
    model.dispose();

    const noCk = tinySetup({ epochs: 1 });
    const t2 = new Trainer(noCk.options);
    t2.events.subscribe(
      (e) =>
        e.type === "step:end" &&
        e.step === 3 &&
        noCk.model.params.get("hidden.bias").variable.assign(tf.fill([6], NaN)),
    );
    await expect(t2.run()).rejects.toThrow(
      /after step 4 parameter "hidden\.bias" holds non-finite values; no result is saved/,
    );
    noCk.model.dispose();
  });

  it("a frozen weight full of NaN (a bad model file) is named too", async () => {
    const { model, options } = tinySetup();
    model.params.freeze(["hidden.weight"], "test");
    model.params.get("hidden.weight").variable.assign(tf.fill([4, 6], NaN));
    await expect(new Trainer(options).run()).rejects.toThrow(
      /^training diverged at step 0: the loss is NaN; first non-finite parameter: "hidden\.weight"/,
    );
    model.dispose();
  });

  it('nanPolicy "skip-step" drops those updates, keeps the data position and counts them', async () => {
    const { model, options } = faulty({ 1: "loss", 4: "grad" }, { nanPolicy: "skip-step" });
    const before = model.params.list().map((p) => Array.from(p.variable.dataSync()));
    const trainer = new Trainer(options);
    const ended: number[] = [];
    const gradients: number[] = [];
    let paramsAtSkip: number[][] | null = null;
    trainer.events.subscribe((e) => {
      if (e.type === "step:end") ended.push(e.step);
      if (e.type === "step:gradients") gradients.push(e.step);
      if (e.type === "step:start" && e.step === 2)
        paramsAtSkip = model.params.list().map((p) => Array.from(p.variable.dataSync()));
    });
    const summary = await trainer.run();
    expect(summary).toMatchObject({ steps: 8, skippedSteps: 2, status: "completed" });
    expect(ended).toEqual([0, 2, 3, 5, 6, 7]);
    expect(gradients).toEqual(ended); // plugins never see a skipped step's gradients
    expect(model.calls).toBe(8); // every batch was used once: the data position stayed right
    expect(paramsAtSkip).not.toEqual(before);
    model.dispose();
  });

  it("skip-step with gradient accumulation still consumes the whole step's micro-batches", async () => {
    const { model, options } = faulty({ 0: "loss" }, { nanPolicy: "skip-step", gradientAccumulation: 2 });
    const summary = await new Trainer(options).run();
    expect(summary).toMatchObject({ steps: 4, skippedSteps: 1 });
    // The faulty call was the step's first micro-batch; its second was drawn but not computed.
    expect(model.calls).toBe(7);
    model.dispose();
  });
});
