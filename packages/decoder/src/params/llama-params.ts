import { countParameters, type AdapterParameterCount, type ModuleSpec } from "@aflora/adapter";
import { readLlamaConfig, type LlamaConfig } from "../config/llama-config.js";
import { LAYER_LINEARS, linearShape, llamaStateDict } from "../model/state-dict.js";

/** The authors' decoder targets (LLM-Adapters' `--target_modules`), r = 32, α = 64. */
export const LLAMA_AFLORA_TARGETS = ["q_proj", "k_proj", "v_proj", "up_proj", "down_proj"] as const;

/** LLaMA-7B's shape (huggyllama/llama-7b, decapoda-research/llama-7b-hf config.json), for `aflora params`. */
export const LLAMA_7B_CONFIG = {
  architectures: ["LlamaForCausalLM"],
  model_type: "llama",
  hidden_size: 4096,
  intermediate_size: 11008,
  num_attention_heads: 32,
  num_hidden_layers: 32,
  rms_norm_eps: 1e-6,
  vocab_size: 32000,
  max_position_embeddings: 2048,
  tie_word_embeddings: false,
  bos_token_id: 1,
  eos_token_id: 2,
  pad_token_id: 0,
} as const;

export interface LlamaParamsOptions {
  /** "lora", "aflora", "elora" (as @aflora/adapter's methods). */
  method: string;
  /** Default 32 (the authors' decoder runs). */
  r?: number;
  /** Default the five modules of LLAMA_AFLORA_TARGETS. */
  targetModules?: readonly string[];
  /** AFLoRA only: which A/B start trainable (default "all": the decoder variant trains A and B in every target). */
  trainablePm?: string;
  /** Further adapter options (alpha, dropout, ...). */
  options?: Record<string, unknown>;
}

export interface LlamaParamsReport {
  /** Every base parameter (lm_head included when untied). */
  base: number;
  adapter: AdapterParameterCount;
  /** base + every adapter element. */
  total: number;
  /** Trainable at the start / base + adapter, in percent (PEFT's trainable%). */
  trainablePercent: number;
}

/** Linear modules of `LlamaForCausalLM` by HF name and shape, from the config alone. */
export function llamaModuleSpecs(config: LlamaConfig): ModuleSpec[] {
  const out: ModuleSpec[] = [];
  for (let i = 0; i < config.numHiddenLayers; i++) {
    for (const s of LAYER_LINEARS) {
      const [inFeatures, outFeatures] = linearShape(config, s);
      out.push({ name: `model.layers.${i}.${s}`, inFeatures, outFeatures });
    }
  }
  return out;
}

/**
 * `aflora params` for a LLaMA config.json (parsed or raw JSON object): base size and the
 * adapter's sizes on q, k, v, up and down with r = 32, from shapes alone (nothing allocated).
 */
export function llamaParamsReport(
  rawConfig: Record<string, unknown> | LlamaConfig,
  o: LlamaParamsOptions,
): LlamaParamsReport {
  const config = "modelType" in rawConfig ? (rawConfig as LlamaConfig) : readLlamaConfig(rawConfig);
  const options: Record<string, unknown> = {
    ...o.options,
    method: o.method,
    r: o.r ?? 32,
    targetModules: [...(o.targetModules ?? LLAMA_AFLORA_TARGETS)],
  };
  if (o.method === "aflora") options["trainablePm"] = o.trainablePm ?? "all";
  const adapter = countParameters(llamaModuleSpecs(config), options as never);
  const base = llamaStateDict(config).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
  const total = base + adapter.total;
  return { base, adapter, total, trainablePercent: (100 * adapter.trainable) / total };
}
