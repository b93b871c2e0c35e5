import type { ModuleSpec } from "../src/base/module-spec.js";

/** microsoft/deberta-v3-base config numbers (PAPER.md §1.2): 12 layers, hidden 768, intermediate 3072. */
export const DEBERTA_V3_BASE_CONFIG = {
  model_type: "deberta-v2",
  vocab_size: 128100,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: "gelu",
  max_position_embeddings: 512,
  type_vocab_size: 0,
  relative_attention: true,
  position_buckets: 256,
  max_relative_positions: -1,
  norm_rel_ebd: "layer_norm",
  share_att_key: true,
  pos_att_type: "p2c|c2p",
  position_biased_input: false,
  layer_norm_eps: 1e-7,
  pooler_hidden_size: 768,
  pooler_dropout: 0,
  pooler_hidden_act: "gelu",
} as const;

/** Every Linear of DebertaV2ForSequenceClassification(deberta-v3-base), HF names, written out from the config. */
export function debertaV3BaseModules(numLabels = 2): ModuleSpec[] {
  const H = 768;
  const I = 3072;
  const out: ModuleSpec[] = [];
  for (let i = 0; i < 12; i++) {
    const p = `deberta.encoder.layer.${i}`;
    for (const n of ["query_proj", "key_proj", "value_proj"]) out.push({ name: `${p}.attention.self.${n}`, inFeatures: H, outFeatures: H });
    out.push({ name: `${p}.attention.output.dense`, inFeatures: H, outFeatures: H });
    out.push({ name: `${p}.intermediate.dense`, inFeatures: H, outFeatures: I });
    out.push({ name: `${p}.output.dense`, inFeatures: I, outFeatures: H });
  }
  out.push({ name: "pooler.dense", inFeatures: H, outFeatures: H });
  out.push({ name: "classifier", inFeatures: H, outFeatures: numLabels });
  return out;
}
