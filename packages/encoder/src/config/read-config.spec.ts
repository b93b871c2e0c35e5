import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { getActivation } from "../layers/activations.js";
import { attentionSpan, type DebertaV2Config } from "./encoder-config.js";
import { modelSize } from "./model-size.js";
import { readEncoderConfig } from "./read-config.js";

const fixtureConfig = (name: string) =>
  JSON.parse(
    readFileSync(fileURLToPath(new URL(`../../../../fixtures/hf-parity/${name}/config.json`, import.meta.url)), "utf8"),
  );

describe("readEncoderConfig", () => {
  it("takes num_labels from id2label when config.json has no num_labels key", () => {
    const raw = fixtureConfig("deberta-v3-tiny-fullspan");
    expect(raw.num_labels).toBeUndefined();
    const c = readEncoderConfig(raw) as DebertaV2Config;
    expect(c.numLabels).toBe(4);
    expect(c.id2label[3]).toBe("LABEL_3");
    expect(attentionSpan(c)).toBe(40);
  });

  it("fills missing keys with the Transformers defaults of each family", () => {
    const d = readEncoderConfig({ model_type: "deberta-v2" }) as DebertaV2Config;
    expect(d).toMatchObject({
      vocabSize: 128100,
      hiddenSize: 1536,
      layerNormEps: 1e-7,
      typeVocabSize: 0,
      relativeAttention: false,
      positionBiasedInput: true,
      maxRelativePositions: -1,
      positionBuckets: -1,
      normRelEbd: ["none"],
      shareAttKey: false,
      posAttType: [],
      poolerHiddenSize: 1536,
      poolerHiddenAct: "gelu",
      poolerDropout: 0,
      numLabels: 2,
      problemType: null,
      padTokenId: 0,
    });
    expect(readEncoderConfig({ model_type: "bert" })).toMatchObject({
      layerNormEps: 1e-12,
      typeVocabSize: 2,
      padTokenId: 0,
      hiddenAct: "gelu",
      classifierDropout: null,
    });
    expect(readEncoderConfig({ model_type: "roberta" })).toMatchObject({
      padTokenId: 1,
      numLabels: 2,
      id2label: { 0: "LABEL_0", 1: "LABEL_1" },
    });
  });

  it("reads the official deberta-v3 form: pos_att_type as a 'p2c|c2p' string, norm_rel_ebd, hidden size of the pooler", () => {
    const c = readEncoderConfig({
      model_type: "deberta-v2",
      hidden_size: 768,
      num_attention_heads: 12,
      relative_attention: true,
      pos_att_type: "p2c|c2p",
      position_buckets: 256,
      norm_rel_ebd: "layer_norm",
      share_att_key: true,
      max_relative_positions: -1,
      num_labels: 3,
    }) as DebertaV2Config;
    expect(c.posAttType).toEqual(["p2c", "c2p"]);
    expect(c.normRelEbd).toEqual(["layer_norm"]);
    expect(c.poolerHiddenSize).toBe(768);
    expect(attentionSpan(c)).toBe(256);
    expect(c.numLabels).toBe(3);
  });

  it("lets id2label win over a disagreeing num_labels, with a warning", () => {
    const notes: string[] = [];
    const c = readEncoderConfig(
      { model_type: "bert", num_labels: 5, id2label: { "0": "neg", "1": "pos" } },
      "x/config.json",
      (m) => notes.push(m),
    );
    expect(c.numLabels).toBe(2);
    expect(c.label2id).toEqual({ neg: 0, pos: 1 });
    expect(notes).toEqual([
      "x/config.json: num_labels 5 disagrees with id2label (2 labels); using 2, as Transformers does",
    ]);
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    [
      "an unknown model_type",
      { model_type: "gpt2" },
      /c\.json: model_type "gpt2" is not supported \(supported: "bert", "roberta", "deberta-v2"\)/,
    ],
    ["no model_type", {}, /c\.json: no "model_type" key/],
    [
      "an unknown problem_type",
      { model_type: "bert", problem_type: "ranking" },
      /c\.json: problem_type "ranking" is not one of/,
    ],
    [
      "relative_key positions",
      { model_type: "bert", position_embedding_type: "relative_key" },
      /position_embedding_type "relative_key" is not supported/,
    ],
    [
      "the nGiE convolution",
      { model_type: "deberta-v2", conv_kernel_size: 3 },
      /conv_kernel_size 3 .* is not supported/,
    ],
    ["embed_proj", { model_type: "deberta-v2", embedding_size: 128 }, /embedding_size 128 ≠ hidden_size 1536/],
    [
      "a head count that does not divide",
      { model_type: "bert", hidden_size: 100, num_attention_heads: 12 },
      /hidden_size 100 is not a multiple of num_attention_heads 12/,
    ],
    [
      "an unknown pos_att_type",
      { model_type: "deberta-v2", pos_att_type: ["p2p"] },
      /pos_att_type entry "p2p" is not supported/,
    ],
    [
      "a string where a number belongs",
      { model_type: "bert", hidden_size: "768" },
      /c\.json: hidden_size "768" is not a number/,
    ],
    ["layer_norm_eps -1", { model_type: "bert", layer_norm_eps: -1 }, /c\.json: layer_norm_eps must be > 0, got -1/],
    ["layer_norm_eps 0", { model_type: "deberta-v2", layer_norm_eps: 0 }, /c\.json: layer_norm_eps must be > 0, got 0/],
    [
      "hidden_dropout_prob 5",
      { model_type: "bert", hidden_dropout_prob: 5 },
      /c\.json: hidden_dropout_prob must be a probability in \[0, 1\), got 5/,
    ],
    [
      "attention_probs_dropout_prob -0.5",
      { model_type: "roberta", attention_probs_dropout_prob: -0.5 },
      /c\.json: attention_probs_dropout_prob must be a probability in \[0, 1\), got -0\.5/,
    ],
    [
      "a dropout of exactly 1",
      { model_type: "bert", classifier_dropout: 1 },
      /c\.json: classifier_dropout must be a probability in \[0, 1\), got 1/,
    ],
    [
      "cls_dropout 2",
      { model_type: "deberta-v2", cls_dropout: 2 },
      /c\.json: cls_dropout must be a probability in \[0, 1\), got 2/,
    ],
    [
      "a negative initializer_range",
      { model_type: "bert", initializer_range: -0.02 },
      /c\.json: initializer_range must be ≥ 0/,
    ],
    [
      "a billion labels",
      { model_type: "bert", num_labels: 1e9 },
      /c\.json: num_labels 1000000000 is more than the 1000000 classes/,
    ],
  ];
  for (const [what, raw, message] of bad) {
    it(`refuses ${what} with an error naming the file and key`, () => {
      expect(() => readEncoderConfig(raw, "c.json")).toThrow(message);
    });
  }

  it("sizes a million-layer config without building it and says how much memory it would need", () => {
    const started = performance.now();
    // bert-base has 12 layers of 7,087,872 parameters each; 1e6 of them are 7.09e12 parameters = 28.4 TB as float32.
    expect(() =>
      readEncoderConfig({ model_type: "bert", num_hidden_layers: 1_000_000, num_labels: 2 }, "c.json", undefined, {
        memoryLimitBytes: 16e9,
      }),
    ).toThrow(
      "c.json: num_hidden_layers 1000000 (hidden_size 768, intermediate_size 3072) gives 7.088e+12 parameters, " +
        "which need 28.4 TB as float32 weights alone; only 16.0 GB of memory is available",
    );
    expect(() =>
      readEncoderConfig({ model_type: "bert", vocab_size: 2e9 }, "v.json", undefined, { memoryLimitBytes: 16e9 }),
    ).toThrow(/v\.json: vocab_size 2000000000/);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it("counts bert-base's parameters as Transformers does (109,484,547 with a 3-class head)", () => {
    const c = readEncoderConfig({ model_type: "bert", num_labels: 3 });
    expect(modelSize(c).total).toBe(109_484_547);
  });

  it("knows gelu (erf), gelu_new (tanh) and refuses unknown activations", () => {
    expect(() => getActivation("mish")).toThrow(/hidden_act "mish" is not supported \(known: gelu, /);
    expect(typeof getActivation("gelu_new")).toBe("function");
  });
});
