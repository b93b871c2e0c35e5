import * as tf from "@tensorflow/tfjs-core";
import { applyAdapter, removeAdapter } from "@aflora/adapter";
import { Rng } from "@aflora/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "../../test/backend.js";
import { fixture } from "../../test/fixtures.js";
import { readLlamaConfig } from "../config/llama-config.js";
import { loadLlama } from "../load/load-llama.js";
import { LLAMA_AFLORA_TARGETS } from "../params/llama-params.js";
import { IGNORE_INDEX, type CausalLMBatch } from "./causal-lm-batch.js";
import type { LlamaForCausalLM } from "./llama-for-causal-lm.js";
import { positionIdsFromMask } from "./position-ids.js";

const batch = (labels: number[]): CausalLMBatch => ({
  batchSize: 2,
  seqLength: 4,
  inputIds: Int32Array.from([1, 40, 50, 60, 1, 70, 80, 0]),
  attentionMask: Int32Array.from([1, 1, 1, 1, 1, 1, 1, 0]),
  labels: Int32Array.from(labels),
});

describe("LlamaForCausalLM", () => {
  useBackend("wasm");
  let model: LlamaForCausalLM;
  let before: number;
  beforeAll(async () => {
    before = tf.memory().numTensors;
    model = await loadLlama(fixture("llama-tiny-mha"));
  });
  afterAll(() => {
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("reads config.json with LlamaConfig's defaults and names an unsupported field", () => {
    const c = readLlamaConfig({
      model_type: "llama",
      vocab_size: 10,
      hidden_size: 8,
      intermediate_size: 16,
      num_hidden_layers: 1,
      num_attention_heads: 2,
    });
    expect(c).toMatchObject({
      numKeyValueHeads: 2,
      headDim: 4,
      rmsNormEps: 1e-6,
      ropeTheta: 10000,
      tieWordEmbeddings: false,
      padTokenId: null,
      bosTokenId: 1,
      eosTokenId: 2,
      maxPositionEmbeddings: 2048,
    });
    const base = {
      model_type: "llama",
      vocab_size: 10,
      hidden_size: 8,
      intermediate_size: 16,
      num_hidden_layers: 1,
      num_attention_heads: 2,
    };
    expect(() => readLlamaConfig({ ...base, rope_scaling: { type: "linear", factor: 2 } }, "cfg.json")).toThrow(
      /cfg\.json: "rope_scaling" is not supported/,
    );
    expect(() => readLlamaConfig({ ...base, num_key_value_heads: 3 })).toThrow(
      /"num_key_value_heads" 3 does not divide num_attention_heads 2/,
    );
    expect(() => readLlamaConfig({ ...base, model_type: "mistral" })).toThrow(/"model_type" is "mistral"/);
    expect(() => readLlamaConfig({ ...base, hidden_act: "gelu" })).toThrow(/"hidden_act" "gelu" is not supported/);
  });

  it("builds position ids from the mask as HF generate does (cumsum − 1, pads 1), continuing after a cache", () => {
    expect(Array.from(positionIdsFromMask(Int32Array.from([0, 0, 1, 1, 1, 1, 1, 0]), 2, 4))).toEqual([
      1, 1, 0, 1, 0, 1, 2, 1,
    ]);
    expect(Array.from(positionIdsFromMask(Int32Array.from([1, 1]), 2, 1, Int32Array.from([4, 7])))).toEqual([5, 8]);
  });

  it("exposes the seven Linear modules per layer by HF name for adapters", () => {
    const names = [...model.linears().keys()];
    expect(names).toHaveLength(14);
    expect(names.slice(0, 7)).toEqual(
      ["q_proj", "k_proj", "v_proj", "o_proj"]
        .map((n) => `model.layers.0.self_attn.${n}`)
        .concat(["gate_proj", "up_proj", "down_proj"].map((n) => `model.layers.0.mlp.${n}`)),
    );
    expect(model.modelType).toBe("llama");
  });

  it("averages the loss over labelled tokens only, after the one-token shift", () => {
    const logits = model.predict(batch([-100, -100, -100, -100, -100, -100, -100, -100]));
    const l = logits.arraySync() as number[][][];
    logits.dispose();
    const ce = (row: number, t: number, target: number) => {
      const v = l[row]![t]!;
      const m = Math.max(...v);
      return m + Math.log(v.reduce((a, x) => a + Math.exp(x - m), 0)) - v[target]!;
    };
    // labels[0][2] = 50 is predicted at t = 1, labels[0][3] = 60 at t = 2, labels[1][2] = 80 at t = 1.
    const loss = model.loss(batch([IGNORE_INDEX, IGNORE_INDEX, 50, 60, IGNORE_INDEX, IGNORE_INDEX, 80, IGNORE_INDEX]));
    expect(loss.dataSync()[0]).toBeCloseTo((ce(0, 1, 50) + ce(0, 2, 60) + ce(1, 1, 80)) / 3, 5);
    loss.dispose();
  });

  it("gives loss 0 and zero gradients for a batch without labelled tokens (HF: NaN)", () => {
    const w = model.params.get("model.layers.0.self_attn.q_proj.weight").variable;
    const { loss, grads } = model.lossAndGradients(batch(new Array(8).fill(IGNORE_INDEX)), new Map([["q", w]]));
    expect(loss.dataSync()[0]).toBe(0);
    expect(Math.max(...(grads.get("q")!.dataSync() as Float32Array).map(Math.abs))).toBe(0);
    tf.dispose([loss, ...grads.values()]);
  });

  it("names a label outside the vocabulary and a token id outside it", () => {
    expect(() => model.loss(batch([0, 0, 448, 0, 0, 0, 0, 0]))).toThrow(
      /batch\.labels\[0\]\[2\]: 448 is neither -100 nor a token id below vocab_size 448/,
    );
    const bad = { ...batch(new Array(8).fill(-100)), inputIds: Int32Array.from([1, 2, 3, 999, 1, 2, 3, 4]) };
    expect(() => model.predict(bad)).toThrow(/batch\.inputIds\[0\]\[3\]: 999 is outside the vocabulary/);
  });

  it("gives the padding_idx row no gradient from lookups (nn.Embedding(padding_idx=0))", () => {
    const w = model.params.get("model.embed_tokens.weight").variable;
    const { loss, grads } = model.lossAndGradients(
      batch([-100, -100, 50, 60, -100, -100, 80, -100]),
      new Map([["e", w]]),
    );
    const g = grads.get("e")!.arraySync() as number[][];
    expect(g[0]!.every((x) => x === 0)).toBe(true);
    expect(g[40]!.some((x) => x !== 0)).toBe(true);
    tf.dispose([loss, ...grads.values()]);
  });

  it.each(["llama-tiny-gqa", "llama-tiny-tied"] as const)(
    "%s: per-layer recomputation gives the whole-graph loss and gradients",
    async (name) => {
      const m = await loadLlama(fixture(name));
      try {
        const b = batch([-100, -100, 50, 60, -100, -100, 80, -100]);
        const vars = new Map(m.params.names().map((n) => [n, m.params.get(n).variable]));
        expect(m.recompute).toBe("auto");
        const whole = m.lossAndGradients(b, vars);
        expect(m.lastRecompute?.recompute).toBe(false); // a tiny model's step fits any budget
        m.recompute = true;
        const layered = m.lossAndGradients(b, vars);
        // Only the lower layers and the embedding: the backward stops below the lowest requested layer.
        const partial = m.lossAndGradients(b, new Map([...vars].filter(([n]) => n.startsWith("model.layers.1."))));
        expect(Math.abs(whole.loss.dataSync()[0]! - layered.loss.dataSync()[0]!)).toBeLessThan(1e-7);
        for (const [n, g] of whole.grads) {
          const scale = tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!);
          const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(g, layered.grads.get(n)!))).dataSync()[0]!);
          expect(diff, n).toBeLessThanOrEqual(1e-5 * Math.max(scale, 1e-6));
          if (partial.grads.has(n)) {
            const d2 = tf.tidy(() => tf.max(tf.abs(tf.sub(g, partial.grads.get(n)!))).dataSync()[0]!);
            expect(d2, n).toBeLessThanOrEqual(1e-5 * Math.max(scale, 1e-6));
          }
        }
        expect(partial.grads.size).toBe(9);
        tf.dispose([
          whole.loss,
          layered.loss,
          partial.loss,
          ...whole.grads.values(),
          ...layered.grads.values(),
          ...partial.grads.values(),
        ]);
      } finally {
        m.dispose();
      }
    },
  );

  it("takes a LoRA adapter on q, k, v, up and down from @aflora/adapter: only the adapter is trainable and gets gradients", () => {
    const adapter = applyAdapter(
      model,
      { method: "lora", r: 4, alpha: 8, targetModules: [...LLAMA_AFLORA_TARGETS] },
      { rng: new Rng(1) },
    );
    try {
      const trainable = model.params.trainableVariables();
      expect([...trainable.keys()].every((n) => /lora_[AB]/.test(n))).toBe(true);
      expect(trainable.size).toBe(2 * 5 * 2);
      expect([...trainable.keys()]).toContain("model.layers.1.mlp.down_proj.lora_B.weight");
      const { loss, grads } = model.lossAndGradients(batch([-100, -100, 50, 60, -100, -100, 80, -100]), trainable);
      expect(grads.size).toBe(20);
      // B starts at zero, so LoRA leaves the loss unchanged and A gets no gradient yet, but B does.
      const plain = tf.tidy(
        () => tf.max(tf.abs(grads.get("model.layers.0.self_attn.q_proj.lora_B.weight")!)).dataSync()[0]!,
      );
      expect(plain).toBeGreaterThan(0);
      tf.dispose([loss, ...grads.values()]);
    } finally {
      removeAdapter(adapter);
    }
    expect(model.params.trainableVariables().size).toBe(0);
  });
});
