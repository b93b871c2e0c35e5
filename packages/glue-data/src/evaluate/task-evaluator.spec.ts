import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { ParameterRegistry, type TextBatch, type TrainableModel } from "@aflora/core";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeExamples } from "../encode/encode-examples.js";
import type { Example } from "../read/example.js";
import { GLUE_TASKS } from "../tasks/glue-tasks.js";
import { WhitespaceTokenizer } from "../testing/whitespace-tokenizer.js";
import { TaskEvaluator } from "./task-evaluator.js";

const tok = new WhitespaceTokenizer();

/** Outputs a fixed row per example, looked up by the example's first word. */
function lookupModel(rows: Map<string, number[]>, width: number, seen: number[] = []): TrainableModel<TextBatch> {
  const byId = new Map([...rows].map(([word, row]) => [tok.wordId(word), row]));
  return {
    params: new ParameterRegistry(),
    lossAndGradients: () => {
      throw new Error("not used");
    },
    predict: (batch) => {
      seen.push(batch.batchSize);
      const out: number[] = [];
      for (let r = 0; r < batch.batchSize; r++) out.push(...byId.get(batch.inputIds[r * batch.seqLength + 1]!)!);
      return width === 1 ? tf.tensor1d(out) : tf.tensor2d(out, [batch.batchSize, width]);
    },
  };
}

const ex = (word: string, label: number): Example => ({ textA: `${word} filler`, textB: null, label });

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("TaskEvaluator", () => {
  it("argmaxes logits and reports MRPC accuracy, F1 and combined_score without leaking tensors", async () => {
    // labels 0 1 0 0 0, predictions 0 1 1 0 1 → accuracy 0.6, F1 0.5
    const labels = [0, 1, 0, 0, 0];
    const logits = [
      [2, 1],
      [0, 3],
      [-1, 0.5],
      [0.1, 0],
      [1, 1.5],
    ];
    const data = await encodeExamples(
      labels.map((l, i) => ex(`w${i}`, l)),
      tok,
      { maxSeqLength: 16, regression: false },
    );
    const seen: number[] = [];
    const model = lookupModel(new Map(logits.map((row, i) => [`w${i}`, row])), 2, seen);
    const evaluator = new TaskEvaluator(GLUE_TASKS.mrpc, [{ name: "validation", data, metricSuffix: "" }], {
      batchSize: 2,
      padTokenId: 0,
    });
    const before = tf.memory().numTensors;
    expect(evaluator.evaluate(model)).toEqual({ accuracy: 0.6, f1: 0.5, combined_score: 0.55 });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual([2, 2, 1]);
    expect(evaluator.selectionMetric).toBe("f1");
  });

  it("MNLI: matched carries the selection metric, mismatched is suffixed _mm", async () => {
    const m = await encodeExamples([ex("a", 0), ex("b", 1), ex("c", 2)], tok, { maxSeqLength: 16, regression: false });
    const mm = await encodeExamples([ex("a", 0), ex("b", 2)], tok, { maxSeqLength: 16, regression: false });
    const model = lookupModel(
      new Map([
        ["a", [3, 0, 0]],
        ["b", [0, 3, 0]],
        ["c", [0, 0, 3]],
      ]),
      3,
    );
    const evaluator = new TaskEvaluator(
      GLUE_TASKS.mnli,
      [
        { name: "validation_matched", data: m, metricSuffix: "" },
        { name: "validation_mismatched", data: mm, metricSuffix: "_mm" },
      ],
      { batchSize: 8, padTokenId: 0 },
    );
    expect(evaluator.evaluate(model)).toEqual({ accuracy: 1, accuracy_mm: 0.5 });
    expect(evaluator.selectionMetric).toBe("accuracy");
  });

  it("squeezes regression outputs for STS-B", async () => {
    const data = await encodeExamples([ex("p", 1), ex("q", 2), ex("r", 3), ex("s", 4)], tok, {
      maxSeqLength: 16,
      regression: true,
    });
    const outputs = new Map([
      ["p", [2]],
      ["q", [4]],
      ["r", [5]],
      ["s", [9]],
    ]);
    const evaluator = new TaskEvaluator(GLUE_TASKS.stsb, [{ name: "validation", data, metricSuffix: "" }], {
      batchSize: 3,
      padTokenId: 0,
    });
    const r = evaluator.evaluate(lookupModel(outputs, 1));
    expect(r.pearson).toBeCloseTo(11 / Math.sqrt(130), 6);
    expect(r.spearmanr).toBeCloseTo(1, 12);
    expect(evaluator.selectionMetric).toBe("pearson");
  });

  it("a model output of the wrong width is a clear error, and the tensor is still disposed", async () => {
    const data = await encodeExamples([ex("a", 0)], tok, { maxSeqLength: 16, regression: false });
    const evaluator = new TaskEvaluator(GLUE_TASKS.mnli, [{ name: "validation_matched", data, metricSuffix: "" }], {
      batchSize: 8,
      padTokenId: 0,
    });
    const before = tf.memory().numTensors;
    expect(() => evaluator.evaluate(lookupModel(new Map([["a", [1, 2]]]), 2))).toThrow(
      "model output shape [1,2] does not fit 1 examples × 3 outputs",
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
