import type { ModuleSpec } from "../base/module-spec.js";
import { HfConfig } from "./hf-config.js";

export interface StateEntry {
  name: string;
  shape: number[];
}

/** A sequence-classification model's state dict as shapes only, with its Linear modules and head. */
export interface ModelShapes {
  modelType: "bert" | "roberta" | "deberta-v2";
  entries: StateEntry[];
  linears: ModuleSpec[];
  /** Top-level module names of the classification head (PEFT `modules_to_save`). */
  headModules: string[];
}

class Builder {
  entries: StateEntry[] = [];
  linears: ModuleSpec[] = [];
  linear(name: string, inF: number, outF: number, bias = true): void {
    this.entries.push({ name: `${name}.weight`, shape: [outF, inF] });
    if (bias) this.entries.push({ name: `${name}.bias`, shape: [outF] });
    this.linears.push({ name, inFeatures: inF, outFeatures: outF });
  }
  layerNorm(name: string, n: number): void {
    this.entries.push({ name: `${name}.weight`, shape: [n] }, { name: `${name}.bias`, shape: [n] });
  }
  embedding(name: string, rows: number, n: number): void {
    this.entries.push({ name: `${name}.weight`, shape: [rows, n] });
  }
}

/**
 * Parameter shapes of `BertForSequenceClassification`, `RobertaForSequenceClassification` or
 * `DebertaV2ForSequenceClassification` from a config.json alone, named as in the HF state dict
 * (checked against the hf-parity fixtures' safetensors headers).
 */
export function modelShapes(rawConfig: Record<string, unknown>, source = "config.json"): ModelShapes {
  const c = new HfConfig(rawConfig, source);
  const modelType = c.string("model_type", "");
  if (modelType === "bert" || modelType === "roberta") return bertShapes(c, modelType);
  if (modelType === "deberta-v2" || modelType === "deberta") return debertaV2Shapes(c);
  return c.fail("model_type", `${JSON.stringify(modelType)} is not supported (bert, roberta, deberta-v2)`);
}

function bertShapes(c: HfConfig, modelType: "bert" | "roberta"): ModelShapes {
  const H = c.positive("hidden_size");
  const I = c.positive("intermediate_size");
  const L = c.numLabels();
  const pe = c.string("position_embedding_type", "absolute");
  if (pe !== "absolute") c.fail("position_embedding_type", `"${pe}" is not supported (only "absolute")`);
  const b = new Builder();
  const p = modelType;
  b.embedding(`${p}.embeddings.word_embeddings`, c.positive("vocab_size"), H);
  b.embedding(`${p}.embeddings.position_embeddings`, c.positive("max_position_embeddings"), H);
  b.embedding(`${p}.embeddings.token_type_embeddings`, c.positive("type_vocab_size", 2), H);
  b.layerNorm(`${p}.embeddings.LayerNorm`, H);
  for (let i = 0; i < c.positive("num_hidden_layers"); i++) {
    const l = `${p}.encoder.layer.${i}`;
    for (const n of ["query", "key", "value"]) b.linear(`${l}.attention.self.${n}`, H, H);
    b.linear(`${l}.attention.output.dense`, H, H);
    b.layerNorm(`${l}.attention.output.LayerNorm`, H);
    b.linear(`${l}.intermediate.dense`, H, I);
    b.linear(`${l}.output.dense`, I, H);
    b.layerNorm(`${l}.output.LayerNorm`, H);
  }
  if (modelType === "bert") {
    b.linear("bert.pooler.dense", H, H);
    b.linear("classifier", H, L);
  } else {
    // RobertaForSequenceClassification has no pooler; its head is dense → tanh → out_proj.
    b.linear("classifier.dense", H, H);
    b.linear("classifier.out_proj", H, L);
  }
  return { modelType, entries: b.entries, linears: b.linears, headModules: ["classifier"] };
}

function debertaV2Shapes(c: HfConfig): ModelShapes {
  const H = c.positive("hidden_size");
  const I = c.positive("intermediate_size");
  const heads = c.positive("num_attention_heads");
  const A = heads * c.positive("attention_head_size", Math.floor(H / heads));
  const E = c.positive("embedding_size", H);
  const L = c.numLabels();
  if (c.int("conv_kernel_size", 0) > 0)
    c.fail("conv_kernel_size", "the nGiE convolution (deberta-v2-xlarge/xxlarge) is not supported");
  const b = new Builder();
  b.embedding("deberta.embeddings.word_embeddings", c.positive("vocab_size"), E);
  if (c.bool("position_biased_input", true))
    b.embedding("deberta.embeddings.position_embeddings", c.positive("max_position_embeddings"), E);
  const typeVocab = c.int("type_vocab_size", 0);
  if (typeVocab > 0) b.embedding("deberta.embeddings.token_type_embeddings", typeVocab, E);
  if (E !== H) b.linear("deberta.embeddings.embed_proj", E, H, false);
  b.layerNorm("deberta.embeddings.LayerNorm", H);
  const relative = c.bool("relative_attention", false);
  const shareAttKey = c.bool("share_att_key", false);
  const posAtt = c.posAttType();
  for (let i = 0; i < c.positive("num_hidden_layers"); i++) {
    const l = `deberta.encoder.layer.${i}`;
    for (const n of ["query_proj", "key_proj", "value_proj"]) b.linear(`${l}.attention.self.${n}`, H, A);
    if (relative && !shareAttKey) {
      if (posAtt.includes("c2p")) b.linear(`${l}.attention.self.pos_key_proj`, H, A);
      if (posAtt.includes("p2c")) b.linear(`${l}.attention.self.pos_query_proj`, H, A);
    }
    b.linear(`${l}.attention.output.dense`, H, H);
    b.layerNorm(`${l}.attention.output.LayerNorm`, H);
    b.linear(`${l}.intermediate.dense`, H, I);
    b.linear(`${l}.output.dense`, I, H);
    b.layerNorm(`${l}.output.LayerNorm`, H);
  }
  if (relative) {
    const buckets = c.int("position_buckets", -1);
    const maxRel = c.int("max_relative_positions", -1);
    const span = buckets > 0 ? buckets : maxRel >= 1 ? maxRel : c.positive("max_position_embeddings");
    b.embedding("deberta.encoder.rel_embeddings", 2 * span, H);
    const norm = c
      .string("norm_rel_ebd", "none")
      .toLowerCase()
      .split("|")
      .map((s) => s.trim());
    if (norm.includes("layer_norm")) b.layerNorm("deberta.encoder.LayerNorm", H);
  }
  const P = c.positive("pooler_hidden_size", H);
  b.linear("pooler.dense", P, P);
  b.linear("classifier", P, L);
  return { modelType: "deberta-v2", entries: b.entries, linears: b.linears, headModules: ["classifier"] };
}
