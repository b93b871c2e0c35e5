import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { createRunContainer, ParameterRegistry, PluginRegistry, type ModelSource } from "@aflora/core";
import { afterAll, describe, expect, it } from "vitest";
import { useBackend } from "../../test/backend.js";
import { fixture } from "../../test/fixtures.js";
import { loadLlama } from "../load/load-llama.js";
import type { CausalLMBatch } from "../model/causal-lm-batch.js";
import { register } from "./register.js";

const container = () =>
  createRunContainer(undefined, {
    registry: new ParameterRegistry(),
    runInfo: { runId: "t", totalSteps: 1, stepsPerEpoch: 1, epochs: 1, seed: 0, outputDir: null },
  });
const task = { name: "lm", labels: null, numLabels: 0, problemType: "causal_lm" };

describe('the "llama" model plugin', () => {
  useBackend("wasm");
  const out = mkdtempSync(join(tmpdir(), "llama-plugin-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const plugins = register(new PluginRegistry());

  it("is registered under kind model with a strict zod schema", () => {
    expect(plugins.names("model")).toEqual(["llama"]);
    expect(() => plugins.create("model", { name: "llama", path: "x", dtype: "float16" }, container())).toThrow(
      /model \(model "llama"\): dtype: unknown option/,
    );
    expect(() => plugins.create("model", { name: "llama" }, container())).toThrow(/model \(model "llama"\): path:/);
  });

  it("loads a folder as a CAUSAL_LM model with its LLaMA tokenizer, and saves it as an HF folder", async () => {
    const before = tf.memory().numTensors;
    const source = plugins.create<ModelSource<CausalLMBatch>>(
      "model",
      { name: "llama", path: fixture("llama-tiny-tied") },
      container(),
    );
    const loaded = await source.load({ task, seed: 0, warn: () => undefined });
    expect(loaded.taskType).toBe("CAUSAL_LM");
    expect((loaded.model as unknown as { recompute: boolean | "auto" }).recompute).toBe("auto");
    expect(loaded.nameOrPath).toBe(fixture("llama-tiny-tied"));
    expect(loaded.tokenizer.encode("Hello world").inputIds).toEqual([1, 384, 428, 385, 323, 389, 333, 345, 390, 398]); // the fixture's case;
    loaded.save(out);
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).tie_word_embeddings).toBe(true);
    const again = await loadLlama(out);
    const a = loaded.model.predict({
      batchSize: 1,
      seqLength: 2,
      inputIds: Int32Array.from([1, 9]),
      attentionMask: Int32Array.from([1, 1]),
    });
    const b = again.predict({
      batchSize: 1,
      seqLength: 2,
      inputIds: Int32Array.from([1, 9]),
      attentionMask: Int32Array.from([1, 1]),
    });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b]);
    again.dispose();
    (loaded.model as unknown as { dispose(): void }).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("passes recompute through to the model", async () => {
    const source = plugins.create<ModelSource<CausalLMBatch>>(
      "model",
      { name: "llama", path: fixture("llama-tiny-gqa"), recompute: true },
      container(),
    );
    const loaded = await source.load({ task, seed: 0, warn: () => undefined });
    expect((loaded.model as unknown as { recompute: boolean }).recompute).toBe(true);
    (loaded.model as unknown as { dispose(): void }).dispose();
  });

  it("names the path when the folder does not exist", async () => {
    const source = plugins.create<ModelSource<CausalLMBatch>>(
      "model",
      { name: "llama", path: "./no/such/llama" },
      container(),
    );
    await expect(source.load({ task, seed: 0, warn: () => undefined })).rejects.toThrow(
      /^model\.path: .*no\/such\/llama/,
    );
  });
});
