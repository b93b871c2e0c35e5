import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import type { TextBatch } from "@aflora/core";
import { beforeAll, describe, expect, it } from "vitest";
import { readEncoderConfig } from "../config/read-config.js";
import { createEncoderFromConfig } from "./build-encoder.js";

const tiny = {
  hidden_size: 8,
  num_attention_heads: 2,
  num_hidden_layers: 2,
  intermediate_size: 16,
  vocab_size: 30,
  max_position_embeddings: 16,
  initializer_range: 0.3,
};

const variants: [string, Record<string, unknown>][] = [
  [
    "deberta-v2 without relative attention (absolute positions only)",
    { model_type: "deberta-v2", relative_attention: false },
  ],
  [
    "deberta-v2 p2c only with shared keys",
    {
      model_type: "deberta-v2",
      relative_attention: true,
      pos_att_type: "p2c",
      share_att_key: true,
      position_biased_input: false,
    },
  ],
  [
    "deberta-v2 c2p+p2c with separate position projections, log buckets",
    {
      model_type: "deberta-v2",
      relative_attention: true,
      pos_att_type: ["c2p", "p2c"],
      position_buckets: 4,
      max_relative_positions: 12,
    },
  ],
  [
    "deberta-v2 relative attention with no c2p/p2c terms",
    { model_type: "deberta-v2", relative_attention: true, norm_rel_ebd: "layer_norm" },
  ],
  ["bert with gelu_new and 3 token types", { model_type: "bert", hidden_act: "gelu_new", type_vocab_size: 3 }],
  ["roberta multi-label", { model_type: "roberta", num_labels: 3, problem_type: "multi_label_classification" }],
];

function batchFor(multiLabel: boolean): TextBatch {
  const b = 3;
  const s = 6;
  const inputIds = Int32Array.from({ length: b * s }, (_, i) => 2 + ((i * 7) % 25));
  const attentionMask = Int32Array.from({ length: b * s }, (_, i) => (i % s < s - (Math.floor(i / s) % 3) ? 1 : 0));
  for (let i = 0; i < b * s; i++) if (!attentionMask[i]) inputIds[i] = 1; // RoBERTa's pad id
  const labels = multiLabel ? Float32Array.from([1, 0, 1, 0, 1, 1, 0, 0, 0]) : Int32Array.from([0, 1, 1]);
  return { batchSize: b, seqLength: s, inputIds, attentionMask, labels };
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("configurations beyond the fixtures", () => {
  for (const [what, raw] of variants) {
    it(`${what}: runs, and per-layer recomputation matches the whole graph`, () => {
      const config = readEncoderConfig({ ...tiny, ...raw });
      const model = createEncoderFromConfig(config, { seed: 5 });
      const batch = batchFor(config.problemType === "multi_label_classification");
      const vars = new Map(model.params.list().map((p) => [p.name, p.variable]));
      const before = tf.memory().numTensors;
      const state = model.saveState();
      model.recompute = false;
      const whole = model.lossAndGradients(batch, vars);
      model.loadState(state);
      model.recompute = true;
      const seg = model.lossAndGradients(batch, vars);
      expect(Number.isFinite(whole.loss.dataSync()[0]!)).toBe(true);
      expect(seg.loss.dataSync()[0]).toBeCloseTo(whole.loss.dataSync()[0]!, 5);
      for (const [n, g] of whole.grads) {
        const a = g.dataSync();
        const c = seg.grads.get(n)!.dataSync();
        const scale = Math.max(1e-6, ...Array.from(a, Math.abs));
        const diff = Math.max(0, ...Array.from(a, (v, i) => Math.abs(v - c[i]!)));
        expect(diff / scale, n).toBeLessThan(1e-4);
      }
      tf.dispose([whole.loss, seg.loss, ...whole.grads.values(), ...seg.grads.values()]);
      expect(tf.memory().numTensors).toBe(before);
      model.params.dispose();
    });
  }
});
