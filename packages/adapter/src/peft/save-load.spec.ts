import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { readSafetensorsFile, Rng } from "@aflora/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyAdapter } from "../apply/apply.js";
import type { AppliedAdapter } from "../apply/applied-adapter.js";
import { loadAdapter } from "./load.js";
import { saveAdapter } from "./save.js";
import { useCpuBackend } from "../../test/backend.js";
import { snapshot, tinyModel, type TinyModel } from "../../test/tiny-model.js";

useCpuBackend();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "aflora-adapter-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Makes every adapter and head value non-trivial and distinct, as after training. */
function train(adapter: AppliedAdapter, seed: number): void {
  const rng = new Rng(seed);
  for (const n of [...adapter.parameterNames, ...adapter.savedParameters]) {
    const v = adapter.params.get(n).variable;
    v.assign(tf.tensor(rng.uniformArray(v.size, -1, 1), v.shape));
  }
}

function values(model: TinyModel, names: readonly string[]): Map<string, number[]> {
  return new Map(names.map((n) => [n, Array.from(model.params.get(n).variable.dataSync())]));
}

describe("saveAdapter / loadAdapter", () => {
  for (const config of [
    { method: "aflora" },
    { method: "elora", r: 8, sharedProjection: true },
    { method: "lora", r: 2, alpha: 5 },
  ]) {
    it(`${config.method}: round-trips exactly (values, λ vectors, frozen flags with step, head)`, async () => {
      const model = tinyModel({ style: "deberta-v2" });
      const adapter = applyAdapter(model, config, { rng: new Rng(1) });
      train(adapter, 3);
      model.params.currentStep = 42;
      const freezable = adapter.matrixNames.filter((n) => model.params.get(n).trainable);
      if (freezable.length > 0) model.params.freeze([freezable[0]!], "aflora score below threshold");
      const out = join(dir, `${config.method}-roundtrip`);
      await saveAdapter(adapter, out, { baseModelNameOrPath: "microsoft/deberta-v3-base" });

      const fresh = tinyModel({ style: "deberta-v2" });
      const before = tf.memory().numTensors;
      const loaded = await loadAdapter(fresh, out);
      expect(loaded.config).toEqual({
        ...adapter.config,
        targetModules: [...adapter.modules.keys()],
        modulesToSave: ["classifier"],
      });
      const names = [...adapter.parameterNames, ...adapter.savedParameters];
      expect(loaded.parameterNames).toEqual(adapter.parameterNames);
      expect(values(fresh, names)).toEqual(values(model, names));
      const flags = model.params.flags();
      const freshFlags = fresh.params.flags();
      for (const n of names) expect(freshFlags[n]).toEqual(flags[n]);
      if (freezable.length > 0)
        expect(freshFlags[freezable[0]!]).toEqual({
          trainable: false,
          frozenAt: { step: 42, reason: "aflora score below threshold" },
        });
      expect(fresh.params.counts()).toEqual(model.params.counts());
      const x = tf.tensor2d(new Rng(8).uniformArray(3 * 6, -1, 1), [3, 6]);
      const y0 = model.forward(x);
      const y1 = fresh.forward(x);
      expect(Array.from(y1.dataSync())).toEqual(Array.from(y0.dataSync()));
      tf.dispose([x, y0, y1]);
      loaded.remove();
      expect(tf.memory().numTensors).toBe(before);
      adapter.remove();
      model.dispose();
      fresh.dispose();
    });
  }

  it("writes the PEFT layout: names, shapes, adapter_config.json", async () => {
    const model = tinyModel({ style: "deberta-v2", layers: 1 });
    const adapter = applyAdapter(
      model,
      { method: "aflora", targetModules: ["query_proj", "intermediate.dense"] },
      { rng: new Rng(1) },
    );
    const out = join(dir, "layout");
    await saveAdapter(adapter, out);
    const file = await readSafetensorsFile(join(out, "adapter_model.safetensors"));
    const p = "base_model.model.deberta.encoder.layer.0";
    expect(Object.fromEntries([...file.tensors].map(([k, t]) => [k, t.shape]))).toEqual({
      [`${p}.attention.self.query_proj.lora_A.weight`]: [4, 6],
      [`${p}.attention.self.query_proj.lora_B.weight`]: [6, 4],
      [`${p}.attention.self.query_proj.lora_d`]: [4],
      [`${p}.attention.self.query_proj.lora_db`]: [6],
      [`${p}.intermediate.dense.lora_A.weight`]: [4, 6],
      [`${p}.intermediate.dense.lora_B.weight`]: [10, 4],
      [`${p}.intermediate.dense.lora_d`]: [4],
      [`${p}.intermediate.dense.lora_db`]: [10],
      "base_model.model.classifier.weight": [3, 6],
      "base_model.model.classifier.bias": [3],
    });
    expect(file.metadata.format).toBe("pt");
    expect(
      JSON.parse(file.metadata["aflora.flags"]!)[`deberta.encoder.layer.0.attention.self.query_proj.lora_A.weight`],
    ).toEqual({ trainable: false });
    const config = JSON.parse(await readFile(join(out, "adapter_config.json"), "utf8"));
    expect(config).toMatchObject({
      peft_type: "AFLORA",
      task_type: "SEQ_CLS",
      r: 4,
      target_modules: [
        "deberta.encoder.layer.0.attention.self.query_proj",
        "deberta.encoder.layer.0.intermediate.dense",
      ],
      modules_to_save: ["classifier"],
      d_initial: 0.1,
      b_initial: 0,
      trainable_pm: "ffn",
    });
    adapter.remove();
    model.dispose();
  });

  it("an adapter for a different base model: one error naming the tensor, the model unchanged", async () => {
    const model = tinyModel({ style: "deberta-v2" });
    const adapter = applyAdapter(model, { method: "aflora" }, { rng: new Rng(1) });
    const out = join(dir, "other-base");
    await saveAdapter(adapter, out);
    adapter.remove();
    model.dispose();

    const wider = tinyModel({ style: "deberta-v2", hidden: 8 });
    const snap = snapshot(wider);
    const before = tf.memory().numTensors;
    await expect(loadAdapter(wider, out)).rejects.toThrow(
      /adapter_model\.safetensors: tensor "base_model\.model\.deberta\.encoder\.layer\.0\.attention\.self\.query_proj\.lora_A\.weight" has shape \[4, 6\] but this model needs \[4, 8\] \(adapter for a different base model\?\)/,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(snapshot(wider)).toEqual(snap);
    wider.dispose();

    const bert = tinyModel({ style: "bert" });
    const bertSnap = snapshot(bert);
    await expect(loadAdapter(bert, out)).rejects.toThrow(
      /targetModules: "deberta\.encoder\.layer\.0\.attention\.self\.query_proj" matches no Linear module.*different base model/,
    );
    expect(snapshot(bert)).toEqual(bertSnap);
    bert.dispose();
  });

  it("missing or broken files are one error naming the file", async () => {
    const model = tinyModel();
    await expect(loadAdapter(model, join(dir, "nope"))).rejects.toThrow(
      /nope\/adapter_config\.json: cannot read the adapter config/,
    );
    const broken = join(dir, "broken");
    const adapter = applyAdapter(model, { method: "lora", r: 2 }, { rng: new Rng(1) });
    await saveAdapter(adapter, broken);
    adapter.remove();
    await writeFile(join(broken, "adapter_config.json"), "{ not json");
    await expect(loadAdapter(model, broken)).rejects.toThrow(/broken\/adapter_config\.json: not valid JSON/);
    model.dispose();
  });

  it("alsoSave stores frozen modules (DeBERTa's freshly initialised pooler) and restores them frozen", async () => {
    const model = tinyModel({ style: "deberta-v2" });
    const adapter = applyAdapter(model, { method: "aflora" }, { rng: new Rng(1) });
    train(adapter, 5);
    const out = join(dir, "also-save");
    await expect(saveAdapter(adapter, out, { alsoSave: ["nope"] })).rejects.toThrow(
      /alsoSave: "nope" matches no parameter/,
    );
    await saveAdapter(adapter, out, { alsoSave: ["pooler"] });
    const config = JSON.parse(await readFile(join(out, "adapter_config.json"), "utf8"));
    expect(config.modules_to_save).toEqual(["classifier", "pooler"]);
    const file = await readSafetensorsFile(join(out, "adapter_model.safetensors"));
    expect(file.tensors.get("base_model.model.pooler.dense.weight")!.shape).toEqual([6, 6]);
    expect(file.metadata["aflora.also_saved"]).toBe('["pooler"]');

    const fresh = tinyModel({ style: "deberta-v2" });
    // A different random pooler, as Transformers would draw for a checkpoint without one.
    fresh.params.get("pooler.dense.weight").variable.assign(tf.tensor(new Rng(99).uniformArray(36, -1, 1), [6, 6]));
    const loaded = await loadAdapter(fresh, out);
    expect(values(fresh, ["pooler.dense.weight", "pooler.dense.bias"])).toEqual(
      values(model, ["pooler.dense.weight", "pooler.dense.bias"]),
    );
    expect(fresh.params.get("pooler.dense.weight").trainable).toBe(false);
    expect(fresh.params.counts()).toEqual(model.params.counts());
    loaded.remove();
    adapter.remove();
    model.dispose();
    fresh.dispose();
  });
});
