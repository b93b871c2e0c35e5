import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { installFastGradients, peakTensorBytes, type TextBatch } from "@aflora/core";
import { beforeAll, describe, expect, it } from "vitest";
import { readEncoderConfig } from "../config/read-config.js";
import { createEncoderFromConfig } from "./build-encoder.js";
import { estimateStepActivationBytes } from "./step-memory.js";

beforeAll(async () => {
  await tf.setBackend("wasm");
  installFastGradients(); // shared Identity: saved tensors cost what they cost on the Trainer's backends
});

function batchOf(b: number, s: number, vocab: number): TextBatch {
  const ids = Int32Array.from({ length: b * s }, (_, i) => (i * 7) % vocab);
  const mask = Int32Array.from({ length: b * s }, (_, i) => (i % s < s - 3 || i < s ? 1 : 0));
  return {
    batchSize: b,
    seqLength: s,
    inputIds: ids,
    attentionMask: mask,
    labels: Int32Array.from({ length: b }, (_, i) => i % 2),
  };
}

describe("estimateStepActivationBytes", () => {
  for (const modelType of ["bert", "deberta-v2"] as const) {
    it(`${modelType}: bounds a whole-graph step's measured peak from above, within 4×`, () => {
      const config = readEncoderConfig({
        model_type: modelType,
        hidden_size: 64,
        num_attention_heads: 4,
        num_hidden_layers: 3,
        intermediate_size: 256,
        vocab_size: 300,
        max_position_embeddings: 64,
        ...(modelType === "deberta-v2"
          ? { relative_attention: true, pos_att_type: ["p2c", "c2p"], position_buckets: 16, max_relative_positions: -1 }
          : {}),
      });
      const model = createEncoderFromConfig(config, { seed: 3, recompute: false });
      const batch = batchOf(4, 48, 300);
      // Everything from the first layer up trains, so the whole graph is on the tape.
      const vars = new Map(
        model.params
          .names()
          .filter((n) => !n.includes("embeddings"))
          .map((n) => [n, model.params.get(n).variable]),
      );
      const gradientBytes = 4 * [...vars.values()].reduce((n, v) => n + v.size, 0);
      const measured = peakTensorBytes(() => {
        const { loss, grads } = model.lossAndGradients(batch, vars);
        tf.dispose([loss, ...grads.values()]);
      });
      const estimate = estimateStepActivationBytes(config, 4, 48) + gradientBytes;
      expect(measured).toBeLessThanOrEqual(estimate);
      expect(estimate).toBeLessThan(4 * measured);
      model.dispose();
    });
  }

  it('"auto" runs a small step whole and says so; a huge batch recomputes', () => {
    const config = readEncoderConfig({
      model_type: "bert",
      hidden_size: 32,
      num_attention_heads: 2,
      num_hidden_layers: 2,
      intermediate_size: 64,
      vocab_size: 100,
      max_position_embeddings: 40,
    });
    const model = createEncoderFromConfig(config, { seed: 1 });
    expect(model.recomputeDecision(4, 32).recompute).toBe(false);
    expect(model.recomputeDecision(4, 32).reason).toMatch(
      /^whole graph: activations est\. 0\.00 GiB ≤ .* \(wasm32 heap 4 GiB − /,
    );
    // 4096 sequences × 512 tokens: ~9 GiB of activations cannot fit a wasm32 heap.
    expect(model.recomputeDecision(4096, 512).recompute).toBe(true);
    model.dispose();
  });
});
