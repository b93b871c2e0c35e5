import { fileURLToPath } from "node:url";
import "@tensorflow/tfjs-backend-cpu";
import { ParameterRegistry, type TrainableModel } from "@aflora/core";
import { loadLlama, loadLlamaTokenizer } from "@aflora/decoder";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { tokenizeExample } from "../tokenize/tokenize-example.js";
import { collate, type InstructBatch } from "./collate.js";
import { causalLmLoss, ValidationLossEvaluator } from "./validation-loss-evaluator.js";

const FIXTURE = fileURLToPath(new URL("../../../../fixtures/hf-parity-decoder/llama-tiny-mha/", import.meta.url));

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

const batchOf = (labels: number[], seqLength: number): InstructBatch => ({
  batchSize: labels.length / seqLength,
  seqLength,
  inputIds: new Int32Array(labels.length),
  attentionMask: new Int32Array(labels.length).fill(1),
  labels: Int32Array.from(labels),
  examples: labels.length / seqLength,
});

describe("causalLmLoss", () => {
  it("is HF's shifted loss: logits at t predict the label at t + 1, mean over labels that are not -100", () => {
    const logits = tf.tensor3d([
      [
        [0, Math.log(3)],
        [0, 0],
        [5, 5],
      ],
    ]);
    // t=0 → label 1: −ln(3/4); t=1 → label 0: ln 2; t=2 predicts nothing
    expect(causalLmLoss(logits, batchOf([-100, 1, 0], 3))).toBeCloseTo((Math.log(4 / 3) + Math.log(2)) / 2, 6);
    expect(causalLmLoss(logits, batchOf([7, -100, -100], 3))).toBeNaN();
    logits.dispose();
  });
});

describe("ValidationLossEvaluator", () => {
  it("averages per-batch losses weighted by batch size, selects on neg_loss, leaks no tensors", () => {
    const V = 4;
    const model: TrainableModel<InstructBatch> = {
      params: new ParameterRegistry(),
      predict: (b) => tf.zeros([b.batchSize, b.seqLength, V]),
      lossAndGradients: () => {
        throw new Error("not used");
      },
    };
    const rows = [0, 1, 2].map(() => ({ inputIds: [1, 5, 6], attentionMask: [1, 1, 1], labels: [-100, 5 % V, 6 % V] }));
    const before = tf.memory().numTensors;
    const m = new ValidationLossEvaluator(rows, {
      batchSize: 2,
      padTokenId: 0,
      paddingSide: "left",
      padToMultipleOf: 8,
    }).evaluate(model);
    expect(m["loss"]).toBeCloseTo(Math.log(V), 6);
    expect(m["neg_loss"]).toBe(-m["loss"]!);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("feeds @aflora/decoder's LlamaForCausalLM: the loss of our batches equals the model's own loss", async () => {
    const model = await loadLlama(FIXTURE, { warn: () => {} });
    const tokenizer = loadLlamaTokenizer(FIXTURE);
    const rows = [
      { instruction: "What is 2 + 3?", input: "", output: "2 + 3 = 5\nThe answer is 5" },
      { instruction: "What is 7 - 4?", input: "", output: "The answer is 3" },
    ].map((r) => tokenizeExample(r, tokenizer, { cutoffLen: 256, trainOnInputs: false }));
    const batch = collate(rows, { padTokenId: tokenizer.padTokenId, paddingSide: "right", padToMultipleOf: 8 });
    const before = tf.memory().numTensors;
    const own = model.loss(batch);
    const logits = model.predict(batch);
    expect(causalLmLoss(logits, batch)).toBeCloseTo(own.dataSync()[0]!, 5);
    own.dispose();
    logits.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
