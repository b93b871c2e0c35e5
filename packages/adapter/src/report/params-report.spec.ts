import { readFile } from "node:fs/promises";
import { readSafetensorsHeader } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { modelShapes } from "./hf-shapes.js";
import { paramsReport } from "./params-report.js";
import { formatParameterCounts } from "../apply/counts.js";
import { DEBERTA_V3_BASE_CONFIG, debertaV3BaseModules } from "../../test/deberta-v3-base.js";

const FIXTURES = new URL("../../../../fixtures/hf-parity/", import.meta.url);
const FOLDERS = [
  "bert-tiny-cls3",
  "bert-tiny-stsb-regression",
  "roberta-tiny-cls2",
  "deberta-v3-tiny-cls3",
  "deberta-v2-tiny-c2p-clamp",
  "deberta-v3-tiny-fullspan",
];

describe("modelShapes: the HF state dict from config.json alone", () => {
  for (const folder of FOLDERS) {
    it(`${folder}: names and shapes equal the model.safetensors header`, async () => {
      const config = JSON.parse(await readFile(new URL(`${folder}/config.json`, FIXTURES), "utf8"));
      const bytes = await readFile(new URL(`${folder}/model.safetensors`, FIXTURES));
      const header = readSafetensorsHeader(bytes, folder);
      const want = Object.fromEntries(header.entries.map((e) => [e.name, e.shape]));
      const got = Object.fromEntries(
        modelShapes(config, `${folder}/config.json`).entries.map((e) => [e.name, e.shape]),
      );
      expect(got).toEqual(want);
    });
  }

  it("the DeBERTa-v3-base Linear list matches the one written out from the config", () => {
    expect(modelShapes({ ...DEBERTA_V3_BASE_CONFIG }).linears).toEqual(debertaV3BaseModules(2));
  });

  it("bad configs are one error naming the field", () => {
    expect(() => modelShapes({ model_type: "gpt2" }, "x/config.json")).toThrow(
      /x\/config\.json: model_type: "gpt2" is not supported/,
    );
    expect(() => modelShapes({ ...DEBERTA_V3_BASE_CONFIG, hidden_size: "768" }, "c.json")).toThrow(
      /c\.json: hidden_size: expected an integer, got "768"/,
    );
    expect(() => modelShapes({ ...DEBERTA_V3_BASE_CONFIG, conv_kernel_size: 3 }, "c.json")).toThrow(
      /conv_kernel_size: the nGiE convolution/,
    );
  });
});

describe("paramsReport on a DeBERTa-v3-base config (2 labels)", () => {
  // 128100·768 + LN 1536 (embeddings) + 12 × 7,087,872 (layers) + 512·768 + 1536 (rel. embeddings + LN)
  // + 768·768 + 768 (pooler) + 768·2 + 2 (classifier): the 184,423,682 HF reports for this model.
  const base = 128100 * 768 + 1536 + 12 * 7_087_872 + 512 * 768 + 1536 + 768 * 768 + 768 + 1538;
  const config = JSON.stringify(DEBERTA_V3_BASE_CONFIG);

  it("LoRA r=8: 1,327,104 trainable without the head", () => {
    const r = paramsReport(config, { method: "lora", r: 8 });
    expect(base).toBe(184_423_682);
    expect(r).toMatchObject({
      base,
      head: 1538,
      trainableWithoutHead: 1_327_104,
      trainable: 1_327_104 + 1538,
      total: base + 1_327_104,
    });
    expect(formatParameterCounts(r)).toBe(
      "trainable params: 1,328,642 || all params: 185,750,786 || trainable%: 0.7153\ntrainable params without head: 1,327,104",
    );
  });

  it("ELoRA r=1024: 156,672; AFLoRA r=4: 451,872 (ffn) and 83,232 (none)", () => {
    expect(paramsReport(config, { method: "elora", r: 1024 }).trainableWithoutHead).toBe(156_672);
    expect(paramsReport(config, { method: "aflora", r: 4, trainablePm: "ffn" }).trainableWithoutHead).toBe(451_872);
    expect(paramsReport(config, { method: "aflora", r: 4, trainablePm: "none" }).trainableWithoutHead).toBe(83_232);
    expect(paramsReport(config, { method: "aflora" }).adapter.trainableAfterFreezing).toBe(83_232);
  });

  it("bad options are one error naming the field", () => {
    expect(() => paramsReport(config, { method: "lora", trainablePm: "ffn" })).toThrow(
      /trainablePm: unknown option for lora/,
    );
    expect(() => paramsReport(config, { method: "vera" })).toThrow(/method: unknown adapter method "vera"/);
    expect(() => paramsReport(config, { method: "lora", r: 1000 })).toThrow(
      /r: rank 1000 exceeds min\(in, out\) = 768/,
    );
    expect(() => paramsReport("{", { method: "lora" }, "m/config.json")).toThrow(/m\/config\.json: not valid JSON/);
  });
});
