import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEncoder } from "./load-encoder.js";
import { loadModel } from "./load-model.js";

const fixture = (p: string) => fileURLToPath(new URL(`../../../../fixtures/${p}`, import.meta.url));
const BERT = fixture("hf-parity/bert-tiny-cls3");
const quiet = { warn: () => undefined };
const batch = {
  batchSize: 1,
  seqLength: 4,
  inputIds: Int32Array.from([2, 5, 7, 3]),
  attentionMask: Int32Array.from([1, 1, 1, 1]),
};
let tmp: string;

beforeAll(async () => {
  await tf.setBackend("cpu");
  tmp = mkdtempSync(join(tmpdir(), "aflora-load-model-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("loadModel: one call from a model folder", () => {
  it("loads config, weights and no tokenizer when the folder has none; the same model as loadEncoder", async () => {
    const before = tf.memory().numTensors;
    const { model, tokenizer, config, rawConfig } = await loadModel(BERT, quiet);
    expect(tokenizer).toBeNull();
    expect(config).toMatchObject({ modelType: "bert", numLabels: 3, hiddenSize: 32 });
    expect(rawConfig["model_type"]).toBe("bert");
    const ref = await loadEncoder(BERT, quiet);
    const [a, b] = [model.forward(batch), ref.forward(batch)];
    expect(Array.from(a.logits.dataSync())).toEqual(Array.from(b.logits.dataSync()));
    for (const o of [a, b]) tf.dispose([o.logits, o.pooledOutput, o.lastHiddenState]);
    model.dispose();
    ref.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("loads the folder's tokenizer too, and applies the task (num_labels resets id2label, as Transformers)", async () => {
    const dir = join(tmp, "with-tokenizer");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    for (const f of ["config.json", "model.safetensors"]) copyFileSync(join(BERT, f), join(dir, f));
    copyFileSync(fixture("tokenizers/bert-vocab-txt/vocab.txt"), join(dir, "vocab.txt"));
    const { model, tokenizer } = await loadModel(dir, quiet);
    expect(tokenizer).not.toBeNull();
    model.dispose();
    // A checkpoint whose head has 3 labels cannot become a 5-label model: Transformers' size-mismatch error, naming the tensor.
    await expect(loadModel(BERT, { ...quiet, task: { numLabels: 5 } })).rejects.toThrow(
      /shape mismatch: classifier\.weight .*checkpoint \[3, 32\], model \[5, 32\]/,
    );
    const reg = await loadModel(BERT, { ...quiet, task: { numLabels: 3, problemType: "multi_label_classification" } });
    expect(reg.config.problemType).toBe("multi_label_classification");
    expect(reg.config.id2label).toEqual({ 0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2" });
    reg.model.dispose();
  });

  it("errors name the folder or file", async () => {
    await expect(loadModel(join(tmp, "nowhere"), quiet)).rejects.toThrow(/nowhere: no such folder/);
    await expect(loadModel(tmp, quiet)).rejects.toThrow(/no config\.json \(is this a Hugging Face model folder\?\)/);
    await expect(loadModel(BERT, { ...quiet, task: { numLabels: 0 } })).rejects.toThrow(
      /config\.json: task\.numLabels: expected a positive integer, got 0/,
    );
  });
});
