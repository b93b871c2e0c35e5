import { definePlugin, type ModelSource, type PluginRegistry } from "@aflora/core";
import { z } from "zod";
import type { CausalLMBatch } from "../model/causal-lm-batch.js";
import { LlamaSource } from "./llama-source.js";

const PACKAGE = "@aflora/decoder";

export const llamaModel = definePlugin({
  kind: "model",
  name: "llama",
  description: "LLaMA / Llama-2 causal language models (LlamaForCausalLM) from a Hugging Face folder or hub id",
  package: PACKAGE,
  modelTypes: ["llama"],
  options: z
    .object({
      path: z
        .string()
        .min(1)
        .describe(
          'a Hugging Face LlamaForCausalLM folder (config.json, safetensors or pytorch_model.bin, tokenizer.model), a hub id, or "demo" (the tiny random LLaMA of the decoder demo)',
        ),
      tokenizer: z.string().min(1).optional().describe("tokenizer folder when it is not the model folder"),
      revision: z.string().min(1).optional().describe("hub revision: a branch, tag or commit"),
      recompute: z
        .union([z.boolean(), z.literal("auto")])
        .default("auto")
        .describe(
          "per-layer recomputation of the backward (gradient checkpointing); \"auto\": on when a batch's estimated activations do not fit the backend's memory (the 4 GiB wasm32 heap on wasm and native)",
        ),
    })
    .strict(),
  create: (o): ModelSource<CausalLMBatch> => new LlamaSource(o),
});

/** Registers the "llama" model family. */
export function register(registry: PluginRegistry): PluginRegistry {
  registry.register(llamaModel);
  return registry;
}
