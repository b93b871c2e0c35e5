import { definePlugin, type ModelSource, type PluginRegistry } from "@aflora/core";
import { z } from "zod";
import { EncoderSource } from "./model-source.js";
import { DEFAULT_TOKENIZER_MODE, TOKENIZER_MODES } from "../tokenizer/index.js";

const PACKAGE = "@aflora/encoder";

export const encoderModel = definePlugin({
  kind: "model",
  name: "encoder",
  description:
    "BERT, RoBERTa and DeBERTa-v2/v3 sequence classifiers from a Hugging Face folder or hub id (or the built-in demo)",
  package: PACKAGE,
  modelTypes: ["bert", "roberta", "deberta", "deberta-v2"],
  options: z
    .object({
      path: z
        .string()
        .min(1)
        .default("demo")
        .describe('"demo" (a tiny random DeBERTa-v3-style encoder), a Hugging Face model folder, or a hub id'),
      tokenizer: z
        .string()
        .min(1)
        .optional()
        .describe("tokenizer folder or tokenizer.json when it is not in the model folder"),
      revision: z.string().min(1).optional().describe("hub revision: a branch, tag or commit"),
      tokenizerMode: z
        .enum(TOKENIZER_MODES)
        .default(DEFAULT_TOKENIZER_MODE)
        .describe(
          '"hf-fast": what HF Transformers\' fast tokenizer (AutoTokenizer) gives, byte fallback to [UNK]; "sentencepiece": the sentencepiece library exactly (needs spm.model)',
        ),
      recompute: z
        .union([z.boolean(), z.literal("auto")])
        .default("auto")
        .describe(
          "per-layer recomputation of the backward (gradient checkpointing); \"auto\": on when a batch's estimated activations do not fit the backend's memory (the 4 GiB wasm32 heap on wasm and native)",
        ),
    })
    .strict(),
  create: (o): ModelSource => new EncoderSource(o),
});

/** Registers the "encoder" model family. */
export function register(registry: PluginRegistry): PluginRegistry {
  registry.register(encoderModel);
  return registry;
}
