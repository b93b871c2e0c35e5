import * as tf from "@tensorflow/tfjs-core";
import { applyAdapter, removeAdapter } from "@aflora/adapter";
import { AdamW, Rng } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { useBackend } from "../../test/backend.js";
import { fixture } from "../../test/fixtures.js";
import { loadLlama } from "../load/load-llama.js";
import { LLAMA_AFLORA_TARGETS } from "../params/llama-params.js";
import type { CausalLMBatch } from "./causal-lm-batch.js";
import type { LlamaForCausalLM } from "./llama-for-causal-lm.js";

// One instruction example, prompt masked: only "answer + </s>" is trained on.
const batch: CausalLMBatch = {
  batchSize: 1,
  seqLength: 8,
  inputIds: Int32Array.from([1, 384, 424, 414, 384, 445, 293, 2]),
  attentionMask: Int32Array.from([1, 1, 1, 1, 1, 1, 1, 1]),
  labels: Int32Array.from([-100, -100, -100, -100, -100, 445, 293, 2]),
};

function train(model: LlamaForCausalLM, steps: number, lr: number): number[] {
  const opt = new AdamW(model.params, { lr, weightDecay: 0 });
  const losses: number[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      const { loss, grads } = model.lossAndGradients(batch, model.params.trainableVariables());
      losses.push(loss.dataSync()[0]!);
      opt.step(grads, 1);
      tf.dispose([loss, ...grads.values()]);
    }
  } finally {
    opt.dispose?.();
  }
  return losses;
}

describe("fine-tuning a decoder with core's AdamW", () => {
  useBackend("wasm");

  it.each(["lora", "aflora"] as const)(
    "%s on q, k, v, up, down lowers the masked loss; base weights never change",
    async (method) => {
      const model = await loadLlama(fixture("llama-tiny-gqa"));
      const q = model.params.get("model.layers.0.self_attn.q_proj.weight").variable;
      const q0 = q.dataSync().slice();
      const options = method === "lora" ? { method, r: 8, alpha: 16 } : { method, r: 8, trainablePm: "all" };
      const adapter = applyAdapter(
        model,
        { ...options, targetModules: [...LLAMA_AFLORA_TARGETS] },
        { rng: new Rng(0) },
      );
      try {
        const losses = train(model, method === "lora" ? 12 : 24, 1e-2);
        expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);
        expect(Array.from(q.dataSync())).toEqual(Array.from(q0));
      } finally {
        removeAdapter(adapter);
        model.dispose();
      }
    },
  );

  it("full fine-tuning (base weights trainable) lowers the loss too", async () => {
    const model = await loadLlama(fixture("llama-tiny-tied"), { trainable: true });
    try {
      const losses = train(model, 16, 5e-3);
      expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);
    } finally {
      model.dispose();
    }
  });
});
