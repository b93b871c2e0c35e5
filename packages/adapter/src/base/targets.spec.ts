import { describe, expect, it } from "vitest";
import { defaultTargetModules, resolveTargetModules } from "./targets.js";
import { moduleKind } from "./module-kind.js";
import { debertaV3BaseModules } from "../../test/deberta-v3-base.js";

const deberta = debertaV3BaseModules();
const names = (t: Parameters<typeof resolveTargetModules>[1], head: string[] = ["classifier"]) =>
  resolveTargetModules(deberta, t, head).map((m) => m.name);

describe("target modules (PEFT semantics)", () => {
  it("the DeBERTa default picks the paper's 6 × 12 = 72 projections and nothing else", () => {
    const picked = names(defaultTargetModules("deberta-v2", []));
    expect(picked).toHaveLength(72);
    expect(picked.slice(0, 6)).toEqual([
      "deberta.encoder.layer.0.attention.self.query_proj",
      "deberta.encoder.layer.0.attention.self.key_proj",
      "deberta.encoder.layer.0.attention.self.value_proj",
      "deberta.encoder.layer.0.attention.output.dense",
      "deberta.encoder.layer.0.intermediate.dense",
      "deberta.encoder.layer.0.output.dense",
    ]);
    expect(picked).not.toContain("pooler.dense");
    expect(defaultTargetModules(undefined, ["deberta.encoder.layer.0.attention.self.query_proj"])).toContain(
      "query_proj",
    );
    expect(defaultTargetModules("roberta", [])).toEqual([
      "query",
      "key",
      "value",
      "attention.output.dense",
      "intermediate.dense",
      "output.dense",
    ]);
    expect(() => defaultTargetModules("gpt2", [])).toThrow(/no default target modules for model_type "gpt2"/);
  });

  it("a list entry matches an exact name or a dot-bounded suffix", () => {
    expect(names(["layer.3.intermediate.dense"])).toEqual(["deberta.encoder.layer.3.intermediate.dense"]);
    expect(names(["pooler.dense"])).toEqual(["pooler.dense"]);
    // "proj" is not a dot-bounded suffix of "query_proj".
    expect(() => names(["proj"])).toThrow(/targetModules: "proj" matches no Linear module/);
    expect(() => names(["query_proj", "nope"])).toThrow(/"nope" matches no Linear module/);
  });

  it("a string is a regex that must match the whole name", () => {
    expect(names(String.raw`.*layer\.(0|11)\.attention\.self\.(query|value)_proj`)).toEqual([
      "deberta.encoder.layer.0.attention.self.query_proj",
      "deberta.encoder.layer.0.attention.self.value_proj",
      "deberta.encoder.layer.11.attention.self.query_proj",
      "deberta.encoder.layer.11.attention.self.value_proj",
    ]);
    expect(() => names("query_proj")).toThrow(/regex "query_proj" matches no Linear module/);
  });

  it('"all-linear" takes every Linear except the head', () => {
    const picked = names("all-linear");
    expect(picked).toHaveLength(73);
    expect(picked).toContain("pooler.dense");
    expect(picked).not.toContain("classifier");
  });
});

describe("moduleKind: FFN vs attention by name, not by shape", () => {
  it("classifies HF BERT/DeBERTa/LLaMA names", () => {
    expect(moduleKind("deberta.encoder.layer.0.attention.self.query_proj")).toBe("attention");
    expect(moduleKind("deberta.encoder.layer.0.attention.output.dense")).toBe("attention");
    expect(moduleKind("bert.encoder.layer.5.attention.self.value")).toBe("attention");
    expect(moduleKind("deberta.encoder.layer.0.intermediate.dense")).toBe("ffn");
    expect(moduleKind("deberta.encoder.layer.0.output.dense")).toBe("ffn");
    expect(moduleKind("model.layers.0.self_attn.k_proj")).toBe("attention");
    expect(moduleKind("model.layers.0.mlp.down_proj")).toBe("ffn");
    expect(moduleKind("pooler.dense")).toBe("other");
    expect(moduleKind("classifier.out_proj")).toBe("other");
  });
});
