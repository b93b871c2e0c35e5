import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { ADAPTER_CONFIG_FILE, ADAPTER_DIR, MODEL_DIR, loadAdapter, removeAdapter } from "@aflora/adapter";
import { loadCausalLM, type LoadCausalLMOptions } from "../load/load-causal-lm.js";
import { loadLlama } from "../load/load-llama.js";
import { generate, type Generation } from "./generate.js";

export interface GenerateCommandOptions {
  /** `--model`: a LlamaForCausalLM folder or hub id. */
  model: string;
  /** `--adapter`: a run folder (its adapter/ or, after full fine-tuning, model/) or an adapter folder. */
  adapter?: string;
  /** `--prompt`, once per prompt; decoded as one left-padded batch. */
  prompts: readonly string[];
  /** `--max-new-tokens` (default 128). */
  maxNewTokens?: number;
  /** `--no-cache` sets false (recomputes every step; for checking). */
  useCache?: boolean;
  load?: LoadCausalLMOptions;
}

/** What `--adapter` points at: an adapter folder, or a full fine-tuning's saved model folder. */
export function resolveTrainedWeights(path: string): { kind: "adapter" | "model"; folder: string } {
  const dir = resolve(path);
  if (existsSync(join(dir, ADAPTER_CONFIG_FILE))) return { kind: "adapter", folder: dir };
  if (existsSync(join(dir, ADAPTER_DIR, ADAPTER_CONFIG_FILE)))
    return { kind: "adapter", folder: join(dir, ADAPTER_DIR) };
  if (existsSync(join(dir, MODEL_DIR, "config.json"))) return { kind: "model", folder: join(dir, MODEL_DIR) };
  throw new Error(
    `--adapter ${path}: no ${ADAPTER_CONFIG_FILE} there or in ${ADAPTER_DIR}/, and no ${MODEL_DIR}/config.json (a run folder or an adapter folder)`,
  );
}

/**
 * `aflora generate --model <folder> [--adapter <run>] --prompt ... [--max-new-tokens N]`:
 * loads the model (and the trained adapter or fully fine-tuned weights), then greedy-decodes
 * every prompt in one batch with a KV cache, stopping each at `</s>`.
 */
export async function runGenerate(o: GenerateCommandOptions): Promise<Generation[]> {
  if (o.prompts.length === 0) throw new Error("--prompt: give at least one prompt");
  const trained = o.adapter ? resolveTrainedWeights(o.adapter) : null;
  const { model, tokenizer } = await loadCausalLM(o.model, o.load);
  let active = model;
  if (trained?.kind === "model") {
    model.dispose();
    active = await loadLlama(trained.folder, o.load);
  }
  const adapter =
    trained?.kind === "adapter"
      ? await loadAdapter(active, trained.folder).catch((e: Error) => {
          active.dispose();
          throw e;
        })
      : null;
  try {
    return generate(active, tokenizer, o.prompts, {
      maxNewTokens: o.maxNewTokens ?? 128,
      useCache: o.useCache ?? true,
    });
  } finally {
    if (adapter) removeAdapter(adapter);
    active.dispose();
  }
}
