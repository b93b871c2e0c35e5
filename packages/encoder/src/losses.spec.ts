import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { readEncoderConfig } from "./config/read-config.js";
import { resolveLossKind, sequenceClassificationLoss } from "./losses.js";

const logits = [
  [1, 2, 0.5],
  [0.3, -1, 2],
  [0, 0, 0],
];

/** −log softmax(row)[k], in float64. */
function nll(row: number[], k: number): number {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return lse - row[k]!;
}

function lossOf(raw: Record<string, unknown>, l: number[][], labels: Int32Array | Float32Array): number {
  const config = readEncoderConfig(raw);
  return tf.tidy(() => sequenceClassificationLoss(config, tf.tensor2d(l), labels).dataSync()[0]!);
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("sequenceClassificationLoss", () => {
  it("single-label: mean cross-entropy, skipping ignore_index −100", () => {
    const cfg = { model_type: "bert", num_labels: 3, problem_type: "single_label_classification" };
    expect(lossOf(cfg, logits, Int32Array.from([1, 2, 0]))).toBeCloseTo(
      (nll(logits[0]!, 1) + nll(logits[1]!, 2) + nll(logits[2]!, 0)) / 3,
      6,
    );
    expect(lossOf(cfg, logits, Int32Array.from([1, -100, 0]))).toBeCloseTo(
      (nll(logits[0]!, 1) + nll(logits[2]!, 0)) / 2,
      6,
    );
  });

  it("regression: MSE of the squeezed logits", () => {
    const cfg = { model_type: "bert", num_labels: 1 };
    expect(lossOf(cfg, [[0.5], [2], [-1]], Float32Array.from([1, 2, 1]))).toBeCloseTo((0.25 + 0 + 4) / 3, 6);
  });

  it("multi-label: mean BCE-with-logits over every entry", () => {
    const cfg = { model_type: "roberta", num_labels: 3, problem_type: "multi_label_classification" };
    const y = [1, 0, 1, 0, 0, 1, 1, 1, 0];
    const flat = logits.flat();
    const expected =
      flat.reduce(
        (s, x, i) =>
          s - (y[i]! * Math.log(1 / (1 + Math.exp(-x))) + (1 - y[i]!) * Math.log(1 - 1 / (1 + Math.exp(-x)))),
        0,
      ) / 9;
    expect(lossOf(cfg, logits, Float32Array.from(y))).toBeCloseTo(expected, 6);
  });

  it("BERT/RoBERTa with problem_type null infer it from num_labels and the labels' type", () => {
    const bert = readEncoderConfig({ model_type: "bert", num_labels: 3 });
    expect(resolveLossKind(bert, Int32Array.from([0, 1, 2]), 3)).toBe("single_label_classification");
    expect(resolveLossKind(bert, new Float32Array(9), 3)).toBe("multi_label_classification");
    expect(resolveLossKind(readEncoderConfig({ model_type: "bert", num_labels: 1 }), new Float32Array(3), 3)).toBe(
      "regression",
    );
  });

  it("DeBERTa with problem_type null: CE over rows with label ≥ 0, 0 when none, soft-label CE for [B, C] labels", () => {
    const cfg = { model_type: "deberta-v2", num_labels: 3 };
    expect(lossOf(cfg, logits, Int32Array.from([2, -1, 1]))).toBeCloseTo(
      (nll(logits[0]!, 2) + nll(logits[2]!, 1)) / 2,
      6,
    );
    expect(lossOf(cfg, logits, Int32Array.from([-1, -1, -1]))).toBe(0);
    const soft = [0.5, 0.5, 0, 0, 0, 1, 0.2, 0.3, 0.5];
    const expected =
      logits.reduce((s, row, i) => s + soft.slice(3 * i, 3 * i + 3).reduce((t, w, k) => t + w * nll(row, k), 0), 0) / 3;
    expect(lossOf(cfg, logits, Float32Array.from(soft))).toBeCloseTo(expected, 6);
    expect(
      resolveLossKind(readEncoderConfig({ model_type: "deberta-v2", num_labels: 1 }), new Float32Array(3), 3),
    ).toBe("regression");
  });

  it("refuses labels that fit neither form, naming the counts", () => {
    const cfg = { model_type: "bert", num_labels: 3, problem_type: "single_label_classification" };
    expect(() => lossOf(cfg, logits, Int32Array.from([0, 1]))).toThrow(/labels: 2 values for a batch of 3/);
    expect(() => lossOf(cfg, logits, Int32Array.from([0, 3, 1]))).toThrow(
      /labels\[1\] = 3 is not a class id in 0\.\.2/,
    );
  });
});
