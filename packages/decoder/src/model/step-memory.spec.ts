import * as tf from "@tensorflow/tfjs-core";
import { installFastGradients, peakTensorBytes, Rng } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { readLlamaConfig } from "../config/llama-config.js";
import { buildLlama } from "./build-llama.js";
import type { CausalLMBatch } from "./causal-lm-batch.js";
import { estimateStepActivationBytes } from "./step-memory.js";
import { useBackend } from "../../test/backend.js";

describe("estimateStepActivationBytes (LLaMA)", () => {
  useBackend("wasm");

  it("bounds a whole-graph step's measured peak from above, within 4×", () => {
    installFastGradients(); // shared Identity, as on the Trainer's backends
    const config = readLlamaConfig({
      model_type: "llama",
      hidden_size: 64,
      intermediate_size: 176,
      num_hidden_layers: 3,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      vocab_size: 500,
      max_position_embeddings: 128,
      rms_norm_eps: 1e-6,
    });
    const rng = new Rng(5);
    const model = buildLlama(
      config,
      (spec) =>
        rng.uniformArray(
          spec.shape.reduce((p, d) => p * d, 1),
          -0.05,
          0.05,
        ),
      {
        trainable: true,
        recompute: false,
      },
    );
    const b = 4;
    const s = 40;
    const ids = Int32Array.from({ length: b * s }, (_, i) => 1 + ((i * 13) % 499));
    const batch: CausalLMBatch = {
      batchSize: b,
      seqLength: s,
      inputIds: ids,
      attentionMask: new Int32Array(b * s).fill(1),
      labels: ids,
    };
    const vars = new Map(
      model.params
        .names()
        .filter((n) => !n.includes("embed_tokens"))
        .map((n) => [n, model.params.get(n).variable]),
    );
    const gradientBytes = 4 * [...vars.values()].reduce((n, v) => n + v.size, 0);
    const measured = peakTensorBytes(() => {
      const { loss, grads } = model.lossAndGradients(batch, vars);
      tf.dispose([loss, ...grads.values()]);
    });
    expect(model.lastRecompute?.recompute).toBe(false);
    const estimate = estimateStepActivationBytes(config, b, s) + gradientBytes;
    expect(measured).toBeLessThanOrEqual(estimate);
    expect(estimate).toBeLessThan(4 * measured);
    model.dispose();
  });
});
