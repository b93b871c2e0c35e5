import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { Rng } from "@aflora/core";
import { applyAdapter, formatParameterCounts } from "@aflora/adapter";
import { generate, loadCausalLM } from "@aflora/decoder";

await tf.setBackend("wasm");
// A tiny random LLaMA from the repository's fixtures; a LLaMA-7B folder or hub id loads the same way.
const folder = fileURLToPath(new URL("../../../fixtures/hf-parity-decoder/llama-tiny-gqa", import.meta.url));
const { model, tokenizer, config } = await loadCausalLM(folder);
console.log(`${config.numHiddenLayers} layers, ${config.numAttentionHeads} heads, ${config.numKeyValueHeads} kv heads`);

// The authors' decoder setting: AFLoRA on q, k, v, up and down, A and B trainable everywhere.
const adapter = applyAdapter(
  model,
  {
    method: "aflora",
    r: 32,
    trainablePm: "all",
    targetModules: ["q_proj", "k_proj", "v_proj", "up_proj", "down_proj"],
  },
  { rng: new Rng(42) },
);
console.log(formatParameterCounts(adapter.counts()));

// Batched greedy decoding with a KV cache; prompts are left-padded, each row stops at </s>.
const [answer] = generate(model, tokenizer, ["Q: Ken has 8 shells and buys 29 more. How many?\nA:"], {
  maxNewTokens: 10,
});
console.log(JSON.stringify(answer!.text));
