import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyAdapter, loadAdapter } from "@aflora/adapter";
import { ParameterRegistry, Rng, readSafetensorsFile } from "@aflora/core";
import { loadEncoder } from "@aflora/encoder";
import { modulesToCarry, saveRunAdapter } from "./save-adapter.js";
import type { RunConfig } from "../config/schema.js";

const FIXTURES = fileURLToPath(new URL("../../../../fixtures/hf-parity/", import.meta.url));
const quiet = () => {};

describe("the run's adapter folder", () => {
  let out: string;
  beforeAll(async () => {
    await tf.setBackend("cpu");
    out = mkdtempSync(join(tmpdir(), "aflora-save-adapter-"));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("carries DeBERTa's pooler (absent from its checkpoints) and reloads it onto another random pooler", async () => {
    const before = tf.memory().numTensors;
    const model = await loadEncoder(join(FIXTURES, "deberta-v3-tiny-cls3"), { registry: new ParameterRegistry(), warn: quiet });
    expect(modulesToCarry(model.params)).toEqual(["pooler"]);
    const adapter = applyAdapter(model, { method: "aflora" }, { rng: new Rng(3) });
    await saveRunAdapter(adapter, join(out, "deberta"), { model: "demo" } as RunConfig);
    const file = await readSafetensorsFile(join(out, "deberta", "adapter_model.safetensors"));
    expect(file.tensors.has("base_model.model.pooler.dense.weight")).toBe(true);

    const other = await loadEncoder(join(FIXTURES, "deberta-v3-tiny-cls3"), { registry: new ParameterRegistry(), warn: quiet });
    const w = other.params.get("pooler.dense.weight").variable;
    tf.tidy(() => w.assign(tf.mul(w, 2)));
    const loaded = await loadAdapter(other, join(out, "deberta"));
    const a = model.params.stateValue("pooler.dense.weight");
    const b = other.params.stateValue("pooler.dense.weight");
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b]);
    loaded.remove();
    adapter.remove();
    model.dispose();
    other.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("leaves BERT's pooler to its checkpoint", async () => {
    const model = await loadEncoder(join(FIXTURES, "bert-tiny-cls3"), { registry: new ParameterRegistry(), warn: quiet });
    expect(modulesToCarry(model.params)).toEqual([]);
    const adapter = applyAdapter(model, { method: "aflora" }, { rng: new Rng(3) });
    await saveRunAdapter(adapter, join(out, "bert"), { model: "demo" } as RunConfig);
    const file = await readSafetensorsFile(join(out, "bert", "adapter_model.safetensors"));
    expect([...file.tensors.keys()].some((k) => k.includes("pooler"))).toBe(false);
    adapter.remove();
    model.dispose();
  });
});
