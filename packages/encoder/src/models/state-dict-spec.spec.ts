import { describe, expect, it } from "vitest";
import { readEncoderConfig } from "../config/read-config.js";
import { linearModuleSpecs, stateDictSpecs } from "./state-dict-spec.js";

const total = (raw: Record<string, unknown>) =>
  stateDictSpecs(readEncoderConfig(raw)).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);

describe("stateDictSpecs / linearModuleSpecs", () => {
  it("count the published sizes of the base checkpoints", () => {
    // bert-base-uncased: BertModel 109,482,240 + classifier 768×3 + 3
    expect(total({ model_type: "bert", num_labels: 3 })).toBe(109_482_240 + 2307);
    // roberta-base: RobertaForSequenceClassification with 2 labels (no pooler; dense + out_proj head)
    expect(
      total({
        model_type: "roberta",
        vocab_size: 50265,
        max_position_embeddings: 514,
        type_vocab_size: 1,
        layer_norm_eps: 1e-5,
      }),
    ).toBe(124_647_170);
    // microsoft/deberta-v3-base (the paper's FFT row: 184M): DebertaV2Model + pooler + classifier (3 labels)
    const debertaV3Base = {
      model_type: "deberta-v2",
      hidden_size: 768,
      num_hidden_layers: 12,
      num_attention_heads: 12,
      intermediate_size: 3072,
      vocab_size: 128100,
      relative_attention: true,
      position_buckets: 256,
      norm_rel_ebd: "layer_norm",
      share_att_key: true,
      pos_att_type: "p2c|c2p",
      position_biased_input: false,
      max_relative_positions: -1,
      num_labels: 3,
    };
    expect(total(debertaV3Base)).toBe(184_424_451);
    const linears = linearModuleSpecs(readEncoderConfig(debertaV3Base));
    expect(linears).toHaveLength(12 * 6 + 2);
    expect(linears[0]).toEqual({
      name: "deberta.encoder.layer.0.attention.self.query_proj",
      inFeatures: 768,
      outFeatures: 768,
    });
    expect(linears.find((l) => l.name === "deberta.encoder.layer.11.intermediate.dense")).toEqual({
      name: "deberta.encoder.layer.11.intermediate.dense",
      inFeatures: 768,
      outFeatures: 3072,
    });
    expect(linears.at(-1)).toEqual({ name: "classifier", inFeatures: 768, outFeatures: 3 });
  });

  it("mark only what Transformers would initialise as optional", () => {
    const specs = stateDictSpecs(
      readEncoderConfig({
        model_type: "deberta-v2",
        relative_attention: true,
        pos_att_type: ["c2p"],
        num_hidden_layers: 1,
        hidden_size: 8,
        num_attention_heads: 2,
      }),
    );
    expect(specs.filter((s) => !s.required).map((s) => s.name)).toEqual([
      "pooler.dense.weight",
      "pooler.dense.bias",
      "classifier.weight",
      "classifier.bias",
    ]);
    expect(specs.map((s) => s.name)).toContain("deberta.encoder.layer.0.attention.self.pos_key_proj.weight");
    expect(specs.map((s) => s.name)).not.toContain("deberta.encoder.layer.0.attention.self.pos_query_proj.weight");
    expect(specs.find((s) => s.name === "deberta.encoder.rel_embeddings.weight")!.shape).toEqual([1024, 8]);
  });
});
