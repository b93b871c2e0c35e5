import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aflora, onlyRun, readJson, REPO, scratch } from "./helpers.js";

const GLUE_TINY = join(REPO, "fixtures/glue-tiny/tsv");

describe("--preset glue/rte on the tiny GLUE folder", () => {
  const cwd = scratch("preset");
  const train = aflora(
    [
      "train",
      "--preset",
      "glue/rte",
      "--model",
      "demo",
      "--data",
      GLUE_TINY,
      "--epochs",
      "2",
      "--batch-size",
      "2",
      "--max-seq-length",
      "48",
      "--quiet",
    ],
    { cwd },
  );

  it("trains with the authors' RTE hyperparameters, flags overriding the preset", () => {
    expect(train.status, train.stderr).toBe(0);
    const run = onlyRun(cwd);
    const config = readJson(join(run, "config.json"));
    expect(config.data).toEqual({ name: "glue/rte", dataDir: GLUE_TINY });
    expect(config.training).toMatchObject({
      optim: "adamw_hf",
      epochs: 2,
      batchSize: 2,
      gradientAccumulation: 1,
      lr: 0.01,
      classifierLr: 0.04,
      weightDecay: 0.1,
      classifierWeightDecay: 0.1,
      warmupRatio: 0.06,
      maxGradNorm: 0.1,
      maxSeqLength: 48,
      seed: 42,
      evalEvery: "epoch",
    });
    expect(config.schedule).toMatchObject({ name: "cubic", initialWarmupEpochs: 1, finalWarmupEpochs: 14 });
    const report = readJson(join(run, "report.json"));
    expect(report.status).toBe("completed");
    expect(report.best.metric).toBe("accuracy");
    expect(report.evaluations).toHaveLength(2);
    expect(report.facts).toMatchObject({ task: "glue/rte", method: "aflora", r: 4 });
  });

  it("reports the run beside the paper's AFLoRA RTE score", () => {
    const r = aflora(["report", onlyRun(cwd), "--paper"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("| glue/rte | aflora | accuracy |");
    expect(r.stdout).toContain("88.09 (accuracy, 0.14M params)");
  });

  it("evaluates the saved adapter with the same metric the run selected on", () => {
    const run = onlyRun(cwd);
    const r = aflora(["eval", "--run", run]);
    expect(r.status, r.stderr).toBe(0);
    const report = readJson(join(run, "report.json"));
    // The trainer restores the best weights at the end, so the saved adapter scores the best evaluation.
    expect(r.stdout).toContain(`| accuracy (selection) | ${report.best.metrics.accuracy.toFixed(4)} |`);
  });
});

describe("a Hugging Face model folder (weights from model.safetensors)", () => {
  it("fine-tunes LoRA on the tiny GLUE folder, re-initialising a head of another width", () => {
    const cwd = scratch("hf-folder");
    const r = aflora(
      [
        "train",
        "--preset",
        "glue/mrpc",
        "--method",
        "lora",
        "--model",
        join(REPO, "fixtures/hf-parity/deberta-v3-tiny-cls3"),
        "--tokenizer",
        join(REPO, "fixtures/tokenizers/deberta-v3-unigram"),
        "--data",
        GLUE_TINY,
        "--epochs",
        "2",
        "--batch-size",
        "2",
        "--max-seq-length",
        "24",
        "--quiet",
        "--no-plots",
      ],
      { cwd },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("classifier.weight: the checkpoint's head has 3 outputs, the task needs 2");
    const run = onlyRun(cwd);
    const report = readJson(join(run, "report.json"));
    expect(report.facts).toMatchObject({ task: "glue/mrpc", method: "lora", r: 8 });
    expect(report.best.metric).toBe("f1");
    expect(report.frozen).toEqual([]);
    expect(readJson(join(run, "adapter", "adapter_config.json"))).toMatchObject({ peft_type: "LORA", r: 8 });
  });
});

describe("full fine-tuning", () => {
  it("saves the trained model as a Hugging Face folder that `aflora eval --run` scores like the best evaluation", () => {
    const cwd = scratch("full");
    const r = aflora(
      [
        "train",
        "--preset",
        "glue/rte",
        "--method",
        "full",
        "--model",
        "demo",
        "--data",
        GLUE_TINY,
        "--epochs",
        "2",
        "--batch-size",
        "2",
        "--max-seq-length",
        "24",
        "--quiet",
        "--no-plots",
      ],
      { cwd },
    );
    expect(r.status, r.stderr).toBe(0);
    const run = onlyRun(cwd);
    const report = readJson(join(run, "report.json"));
    expect(report.facts.method).toBe("full");
    expect(report.trainable.start).toBe(report.trainable.totalParameters - 2 * 64 - 2); // everything but the classifier
    expect(readJson(join(run, "model", "config.json"))).toMatchObject({ model_type: "deberta-v2", num_labels: 2 });
    const ev = aflora(["eval", "--run", run]);
    expect(ev.status, ev.stderr).toBe(0);
    expect(ev.stdout).toContain(`| accuracy (selection) | ${report.best.metrics.accuracy.toFixed(4)} |`);
  });
});
