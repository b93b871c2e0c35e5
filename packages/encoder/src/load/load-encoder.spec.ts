import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  floatToHalf,
  halfToFloat,
  ParameterRegistry,
  readSafetensorsFile,
  toFloat32,
  writeSafetensors,
  type SafetensorsInput,
} from "@aflora/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEncoderConfig } from "../config/read-config.js";
import { createEncoderFromConfig } from "../models/build-encoder.js";
import { loadEncoder } from "./load-encoder.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../../../fixtures/hf-parity/${name}`, import.meta.url));
const root = mkdtempSync(join(tmpdir(), "aflora-load-"));
let n = 0;

/** A model folder with the fixture's config.json and the given tensors as model.safetensors. */
function folderWith(name: string, tensors: Record<string, SafetensorsInput>): string {
  const dir = join(root, `m${n++}`);
  mkdirSync(dir);
  copyFileSync(join(fixture(name), "config.json"), join(dir, "config.json"));
  writeFileSync(join(dir, "model.safetensors"), writeSafetensors(tensors));
  return dir;
}

async function fixtureTensors(name: string): Promise<Record<string, SafetensorsInput>> {
  const { tensors } = await readSafetensorsFile(join(fixture(name), "model.safetensors"));
  return Object.fromEntries(tensors);
}

function values(registry: ParameterRegistry, name: string): number[] {
  const t = registry.stateValue(name);
  const v = [...t.dataSync()];
  t.dispose();
  return v;
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("loadEncoder", () => {
  it("loads pytorch_model.bin to the same tensors as model.safetensors", async () => {
    for (const name of ["bert-tiny-cls3", "deberta-v3-tiny-cls3"]) {
      const dir = join(root, `bin-${name}`);
      mkdirSync(dir);
      copyFileSync(join(fixture(name), "config.json"), join(dir, "config.json"));
      copyFileSync(join(fixture(name), "pytorch_model.bin"), join(dir, "pytorch_model.bin"));
      const a = new ParameterRegistry();
      const b = new ParameterRegistry();
      await loadEncoder(fixture(name), { registry: a, warn: () => undefined });
      await loadEncoder(dir, { registry: b, warn: () => undefined });
      expect(b.names()).toEqual(a.names());
      for (const p of a.names()) expect(values(b, p), p).toEqual(values(a, p));
      a.dispose();
      b.dispose();
    }
  });

  it("reads sharded safetensors through model.safetensors.index.json and converts F16/BF16 to float32", async () => {
    const all = await fixtureTensors("roberta-tiny-cls2");
    const names = Object.keys(all);
    const half = names.filter((_, i) => i % 2 === 0);
    const q = "roberta.encoder.layer.0.attention.self.query.weight";
    const shard1: Record<string, SafetensorsInput> = {};
    const shard2: Record<string, SafetensorsInput> = {};
    for (const k of names) (half.includes(k) ? shard1 : shard2)[k] = all[k]!;
    const qData = all[q]!.data as Float32Array;
    (half.includes(q) ? shard1 : shard2)[q] = { dtype: "F16", shape: all[q]!.shape, data: qData };
    const cls = "classifier.out_proj.weight";
    (half.includes(cls) ? shard1 : shard2)[cls] = {
      dtype: "BF16",
      shape: all[cls]!.shape,
      data: all[cls]!.data as Float32Array,
    };
    const dir = join(root, "sharded");
    mkdirSync(dir);
    copyFileSync(join(fixture("roberta-tiny-cls2"), "config.json"), join(dir, "config.json"));
    writeFileSync(join(dir, "model-00001-of-00002.safetensors"), writeSafetensors(shard1));
    writeFileSync(join(dir, "model-00002-of-00002.safetensors"), writeSafetensors(shard2));
    const weightMap = Object.fromEntries(
      names.map((k) => [k, half.includes(k) ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors"]),
    );
    writeFileSync(join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const registry = new ParameterRegistry();
    await loadEncoder(dir, { registry, warn: () => undefined });
    expect(values(registry, q)).toEqual([...qData].map((x) => Math.fround(halfToFloat(floatToHalf(x)))));
    const bf = values(registry, cls);
    const orig = all[cls]!.data as Float32Array;
    bf.forEach((v, i) => expect(Math.abs(v - orig[i]!)).toBeLessThanOrEqual(Math.abs(orig[i]!) * 2 ** -8));
    expect(values(registry, "roberta.embeddings.LayerNorm.weight")).toEqual([
      ...(all["roberta.embeddings.LayerNorm.weight"]!.data as Float32Array),
    ]);
    registry.dispose();
  });

  it("reports every missing tensor and every shape mismatch in one error", async () => {
    const t = await fixtureTensors("bert-tiny-cls3");
    delete t["bert.encoder.layer.1.output.dense.bias"];
    delete t["bert.embeddings.LayerNorm.weight"];
    t["bert.encoder.layer.0.attention.self.key.weight"] = {
      dtype: "F32",
      shape: [32, 16],
      data: new Float32Array(512),
    };
    const dir = folderWith("bert-tiny-cls3", t);
    const registry = new ParameterRegistry();
    const err = await loadEncoder(dir, { registry, warn: () => undefined }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain(`${dir}: the checkpoint does not fit config.json (bert): 2 missing, 1 with another shape`);
    expect(msg).toContain("missing: bert.embeddings.LayerNorm.weight [32]");
    expect(msg).toContain("missing: bert.encoder.layer.1.output.dense.bias [32]");
    expect(msg).toMatch(
      /shape mismatch: bert\.encoder\.layer\.0\.attention\.self\.key\.weight in .*model\.safetensors: checkpoint \[32, 16\], model \[32, 32\]/,
    );
    expect(registry.names()).toEqual([]);
  });

  it("ignores unknown keys with a warning, drops stored buffers silently, initialises a missing head like Transformers", async () => {
    const t = await fixtureTensors("deberta-v3-tiny-cls3");
    delete t["classifier.weight"];
    delete t["classifier.bias"];
    delete t["pooler.dense.weight"];
    delete t["pooler.dense.bias"];
    t["lm_predictions.lm_head.bias"] = { dtype: "F32", shape: [200], data: new Float32Array(200) };
    t["deberta.embeddings.position_ids"] = { dtype: "I64", shape: [1, 64], data: new BigInt64Array(64) };
    const dir = folderWith("deberta-v3-tiny-cls3", t);
    const notes: string[] = [];
    const registry = new ParameterRegistry();
    const model = await loadEncoder(dir, { registry, warn: (m) => notes.push(m), seed: 3 });
    expect(notes).toEqual([
      `${dir}: ignored 1 checkpoint tensors the model does not use: lm_predictions.lm_head.bias`,
      `${dir}: newly initialised (not in the checkpoint): pooler.dense.weight, pooler.dense.bias, classifier.weight, classifier.bias; train them before use`,
    ]);
    expect(values(registry, "classifier.bias")).toEqual([0, 0, 0]);
    const w = values(registry, "classifier.weight");
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.1);
    expect(std).toBeLessThan(0.2); // initializer_range 0.15
    model.dispose();
  });

  it("accepts a bare base-model checkpoint with old LayerNorm gamma/beta names", async () => {
    const t = await fixtureTensors("bert-tiny-cls3");
    const renamed: Record<string, SafetensorsInput> = {};
    for (const [k, v] of Object.entries(t)) {
      if (k.startsWith("classifier.")) continue;
      renamed[
        k
          .replace(/^bert\./, "")
          .replace(/LayerNorm\.weight$/, "LayerNorm.gamma")
          .replace(/LayerNorm\.bias$/, "LayerNorm.beta")
      ] = v;
    }
    const dir = folderWith("bert-tiny-cls3", renamed);
    const registry = new ParameterRegistry();
    await loadEncoder(dir, { registry, warn: () => undefined });
    expect(values(registry, "bert.embeddings.LayerNorm.weight")).toEqual([
      ...(t["bert.embeddings.LayerNorm.weight"]!.data as Float32Array),
    ]);
    registry.dispose();
  });

  it("says which files it looked for when a folder has no weights or no config", async () => {
    const dir = join(root, "empty");
    mkdirSync(dir);
    await expect(loadEncoder(dir)).rejects.toThrow(`${dir}: no config.json (is this a Hugging Face model folder?)`);
    copyFileSync(join(fixture("bert-tiny-cls3"), "config.json"), join(dir, "config.json"));
    await expect(loadEncoder(dir)).rejects.toThrow(
      /no weights found \(looked for model\.safetensors, model\.safetensors\.index\.json, pytorch_model\.bin/,
    );
  });

  it("refuses weights holding NaN or Inf, naming the tensor and the file", async () => {
    for (const [dtype, bad] of [
      ["F32", Number.NaN],
      ["F16", Number.POSITIVE_INFINITY],
    ] as const) {
      const t = await fixtureTensors("bert-tiny-cls3");
      const w = t["bert.encoder.layer.0.output.dense.weight"]!;
      const data = Float32Array.from(toFloat32Input(w));
      data[5] = bad;
      t["bert.encoder.layer.0.output.dense.weight"] = { dtype, shape: w.shape, data };
      const dir = folderWith("bert-tiny-cls3", t);
      await expect(loadEncoder(dir, { warn: () => undefined })).rejects.toThrow(
        `${join(dir, "model.safetensors")}: tensor "bert.encoder.layer.0.output.dense.weight" holds a non-finite value (${bad} at flat index 5)`,
      );
    }
  });

  it("refuses a model.safetensors that is a symlink to /dev/zero, without reading it", async () => {
    const dir = join(root, "zero");
    mkdirSync(dir);
    copyFileSync(join(fixture("bert-tiny-cls3"), "config.json"), join(dir, "config.json"));
    symlinkSync("/dev/zero", join(dir, "model.safetensors"));
    await expect(loadEncoder(dir)).rejects.toThrow(
      `${join(dir, "model.safetensors")}: is a character device, not a regular file`,
    );
  });
});

function toFloat32Input(t: SafetensorsInput): Float32Array {
  return toFloat32({ dtype: t.dtype, data: t.data as Parameters<typeof toFloat32>[0]["data"] });
}

describe("createEncoderFromConfig", () => {
  it("builds HF-style random weights, deterministic per seed", () => {
    const config = readEncoderConfig({
      model_type: "bert",
      hidden_size: 16,
      num_attention_heads: 2,
      num_hidden_layers: 1,
      intermediate_size: 32,
      vocab_size: 50,
      max_position_embeddings: 20,
      initializer_range: 0.5,
    });
    const a = createEncoderFromConfig(config, { seed: 1 });
    const b = createEncoderFromConfig(config, { seed: 1 });
    const c = createEncoderFromConfig(config, { seed: 2 });
    const name = "bert.encoder.layer.0.intermediate.dense.weight";
    expect(values(a.params, name)).toEqual(values(b.params, name));
    expect(values(a.params, name)).not.toEqual(values(c.params, name));
    expect(values(a.params, "bert.embeddings.word_embeddings.weight").slice(0, 16)).toEqual(new Array(16).fill(0)); // padding row 0
    expect(values(a.params, "bert.encoder.layer.0.output.LayerNorm.weight")).toEqual(new Array(16).fill(1));
    expect(values(a.params, "bert.encoder.layer.0.output.dense.bias")).toEqual(new Array(16).fill(0));
    expect(a.params.counts().total).toBe(
      50 * 16 + 20 * 16 + 2 * 16 + 32 + (3 * 272 + 272 + 32 + 16 * 32 + 32 + 32 * 16 + 16 + 32) + 272 + 16 * 2 + 2,
    );
    for (const m of [a, b, c]) m.params.dispose();
  });
});
