import type { LlamaConfig } from "../config/llama-config.js";

/** One tensor of `LlamaForCausalLM`'s state dict (HF names, HF layout: Linear weights [out, in]). */
export interface LlamaTensorSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** "linear" weights are stored transposed ([in, out]) as core's Linear kernel. */
  readonly kind: "linear" | "embedding" | "norm" | "lm_head";
}

/** The Linear modules of one decoder layer, by their suffix under `model.layers.{i}`. */
export const LAYER_LINEARS = [
  "self_attn.q_proj",
  "self_attn.k_proj",
  "self_attn.v_proj",
  "self_attn.o_proj",
  "mlp.gate_proj",
  "mlp.up_proj",
  "mlp.down_proj",
] as const;

/** [in, out] of each layer Linear. */
export function linearShape(config: LlamaConfig, suffix: (typeof LAYER_LINEARS)[number]): [number, number] {
  const h = config.hiddenSize;
  const kv = config.numKeyValueHeads * config.headDim;
  switch (suffix) {
    case "self_attn.q_proj":
      return [h, config.numAttentionHeads * config.headDim];
    case "self_attn.k_proj":
    case "self_attn.v_proj":
      return [h, kv];
    case "self_attn.o_proj":
      return [config.numAttentionHeads * config.headDim, h];
    case "mlp.gate_proj":
    case "mlp.up_proj":
      return [h, config.intermediateSize];
    case "mlp.down_proj":
      return [config.intermediateSize, h];
  }
}

/** Every parameter of `LlamaForCausalLM` in model order; `lm_head.weight` only when untied. */
export function llamaStateDict(config: LlamaConfig): LlamaTensorSpec[] {
  const out: LlamaTensorSpec[] = [
    { name: "model.embed_tokens.weight", shape: [config.vocabSize, config.hiddenSize], kind: "embedding" },
  ];
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const p = `model.layers.${i}`;
    out.push({ name: `${p}.input_layernorm.weight`, shape: [config.hiddenSize], kind: "norm" });
    for (const s of LAYER_LINEARS) {
      if (s === "mlp.gate_proj")
        out.push({ name: `${p}.post_attention_layernorm.weight`, shape: [config.hiddenSize], kind: "norm" });
      const [inF, outF] = linearShape(config, s);
      out.push({ name: `${p}.${s}.weight`, shape: [outF, inF], kind: "linear" });
    }
  }
  out.push({ name: "model.norm.weight", shape: [config.hiddenSize], kind: "norm" });
  if (!config.tieWordEmbeddings)
    out.push({ name: "lm_head.weight", shape: [config.vocabSize, config.hiddenSize], kind: "lm_head" });
  return out;
}
