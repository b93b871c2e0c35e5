import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ParameterRegistry, type TextBatch, type TrainableModel } from "@aflora/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WhitespaceTokenizer } from "../testing/whitespace-tokenizer.js";
import { customTaskInfo, parseCustomTaskSchema } from "./custom-task.js";
import { GLUE_TASKS, glueTask, HANS_TASK, hansTaskData } from "./glue-tasks.js";

let dir: string;
beforeAll(async () => {
  await tf.setBackend("cpu");
  dir = await mkdtemp(join(tmpdir(), "aflora-hans-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Predicts the same output for every example. */
const constantModel = (row: number[]): TrainableModel<TextBatch> => ({
  params: new ParameterRegistry(),
  lossAndGradients: () => {
    throw new Error("not used");
  },
  predict: (batch) =>
    tf.tensor2d(Array.from({ length: batch.batchSize }, () => row).flat(), [batch.batchSize, row.length]),
});

describe("task names follow HF's glue configs", () => {
  it("refuses ax as HF's glue metric does, and points hans to its loader", () => {
    expect(() => glueTask("ax")).toThrow(
      /GLUE task "ax" cannot be trained or scored: Hugging Face's glue metric refuses it/,
    );
    expect(() => glueTask("hans")).toThrow(/"hans" is not in the GLUE distribution: load it with hansTaskData/);
    expect(glueTask("STS-B").metrics).toEqual({ metrics: ["pearson", "spearmanr"], selectionMetric: "pearson" });
  });

  it("HANS: entailment/non-entailment, scored with accuracy", () => {
    expect(HANS_TASK).toMatchObject({
      name: "hans",
      labels: ["entailment", "non-entailment"],
      numLabels: 2,
      metrics: { metrics: ["accuracy"], selectionMetric: "accuracy" },
    });
  });

  it("loads the original HANS text files and scores them, warnings going to the run log", async () => {
    const header =
      "gold_label\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\tpairID\theuristic\tsubcase\ttemplate";
    const row = (label: string, a: string, b: string, i: number) =>
      `${label}\t-\t-\t-\t-\t${a}\t${b}\tex${i}\tlexical_overlap\tln_subject/object_swap\ttemp1`;
    const file = join(dir, "heuristics_evaluation_set.txt");
    await writeFile(
      file,
      [
        header,
        row("entailment", "The doctor saw the lawyer .", "The doctor saw .", 0),
        row("non-entailment", "The lawyer saw the doctor .", "The doctor saw the lawyer .", 1),
      ].join("\n") + "\n",
    );
    const task = hansTaskData({ train: file, validation: file });
    const loaded = await task.load({ tokenizer: new WhitespaceTokenizer(), batchSize: 2, seed: 1 });
    expect(loaded.info.labels).toEqual(["entailment", "non-entailment"]);
    // Always "entailment" (class 0): one of two right.
    expect(loaded.evaluator.evaluate(constantModel([1, 0]))).toEqual({ accuracy: 0.5 });
  });
});

describe("metric warnings and F1 averages reach the evaluator", () => {
  it("STS-B with constant predictions gives NaN for every score and warns, naming task and split", async () => {
    const file = join(dir, "stsb.jsonl");
    await writeFile(
      file,
      ["a b 1", "c d 2", "e f 4"].map((t, i) => JSON.stringify({ s1: t, s2: "x", y: i + 0.5 })).join("\n") + "\n",
    );
    const { customTaskData } = await import("../custom-task-data.js");
    const task = customTaskData({
      name: "stsb-like",
      train: file,
      validation: file,
      textFields: ["s1", "s2"],
      labelField: "y",
      regression: true,
    });
    const warnings: string[] = [];
    const loaded = await task.load({
      tokenizer: new WhitespaceTokenizer(),
      batchSize: 2,
      seed: 1,
      warn: (m) => warnings.push(m),
    });
    const model: TrainableModel<TextBatch> = { ...constantModel([0]), predict: (b) => tf.zeros([b.batchSize]) };
    const before = tf.memory().numTensors;
    const metrics = loaded.evaluator.evaluate(model);
    expect(tf.memory().numTensors).toBe(before);
    expect(metrics.pearson).toBeNaN();
    expect(metrics.spearmanr).toBeNaN();
    expect(metrics.combined_score).toBeNaN();
    expect(warnings).toEqual([
      "stsb-like validation: pearson: an input array is constant; the correlation coefficient is not defined (NaN, as in scipy)",
      "stsb-like validation: spearmanr: an input array is constant; the correlation coefficient is not defined (NaN, as in scipy)",
    ]);
  });

  it("a custom task with f1 over three classes must name an average", () => {
    const raw = { textFields: ["t"], labelField: "y", labels: ["a", "b", "c"], metrics: ["accuracy", "f1"] };
    expect(() => parseCustomTaskSchema(raw)).toThrow(
      /task\.average: f1 over 3 classes needs average "macro", "micro" or "weighted"/,
    );
    expect(() => parseCustomTaskSchema({ ...raw, average: "samples" })).toThrow(
      /task\.average: expected one of binary, macro, micro, weighted/,
    );
    const info = customTaskInfo("three", parseCustomTaskSchema({ ...raw, average: "macro" }));
    expect(info.metrics).toEqual({ metrics: ["accuracy", "f1"], selectionMetric: "accuracy", f1Average: "macro" });
    expect(GLUE_TASKS.mrpc.metrics.f1Average).toBeUndefined();
  });
});
