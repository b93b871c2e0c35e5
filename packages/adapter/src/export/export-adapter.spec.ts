import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { readSafetensorsFile, Rng, type TextBatch } from "@aflora/core";
import { loadEncoder, type EncoderForSequenceClassification } from "@aflora/encoder";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyAdapter } from "../apply/apply.js";
import type { AppliedAdapter } from "../apply/applied-adapter.js";
import { loadAdapter } from "../peft/load.js";
import { exportAdapter, exportedShapes, EXPORT_FORMATS } from "./export-adapter.js";
import { useCpuBackend } from "../../test/backend.js";

useCpuBackend();

const FIXTURES = new URL("../../../../fixtures/hf-parity/", import.meta.url);
const quiet = { warn: () => undefined };
let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "aflora-export-formats-"));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

async function fixture(
  folder: string,
): Promise<{ model: EncoderForSequenceClassification; batch: TextBatch; path: string }> {
  const path = fileURLToPath(new URL(folder, FIXTURES));
  const model = await loadEncoder(path, quiet);
  const expected = JSON.parse(await readFile(join(path, "expected.json"), "utf8")) as {
    batches: { input_ids: number[][]; attention_mask: number[][]; token_type_ids?: number[][] }[];
  };
  const b = expected.batches[0]!;
  const batch: TextBatch = {
    batchSize: b.input_ids.length,
    seqLength: b.input_ids[0]!.length,
    inputIds: Int32Array.from(b.input_ids.flat()),
    attentionMask: Int32Array.from(b.attention_mask.flat()),
    ...(b.token_type_ids ? { tokenTypeIds: Int32Array.from(b.token_type_ids.flat()) } : {}),
  };
  return { model, batch, path };
}

/** Trained-looking values (λb, λd, B and the head ≠ init), so every export differs from the base model. */
function perturb(adapter: AppliedAdapter): void {
  const rng = new Rng(12);
  for (const n of [...adapter.parameterNames, ...adapter.savedParameters]) {
    if (!/lora_B\.weight$|lora_db$|lora_d$|classifier\./.test(n)) continue;
    const v = adapter.variable(n);
    v.assign(tf.tensor(rng.uniformArray(v.size, -0.5, 0.5), v.shape));
  }
}

function logits(model: EncoderForSequenceClassification, batch: TextBatch): Float32Array {
  model.setTraining(false);
  const o = model.forward(batch);
  const v = o.logits.dataSync() as Float32Array;
  tf.dispose([o.logits, o.pooledOutput, o.lastHiddenState]);
  return v;
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i]!)));

describe("exportAdapter", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["deberta-v3-tiny-cls3", { method: "aflora" }],
    ["bert-tiny-cls3", { method: "elora", r: 16 }],
    ["roberta-tiny-cls2", { method: "lora", r: 4, alpha: 8 }],
  ];
  for (const [folder, config] of cases) {
    it(`"merged" on ${folder} ${JSON.stringify(config)}: Transformers' layout, and the reloaded model's logits equal the adapted model's within 1e-5`, async () => {
      const { model, batch, path } = await fixture(folder);
      const adapter = applyAdapter(model, config, { rng: new Rng(3) });
      perturb(adapter);
      const adapted = logits(model, batch);
      const before = tf.memory().numTensors;
      const dir = join(out, `merged-${folder}-${String(config.method)}`);
      const modelConfig = JSON.parse(await readFile(join(path, "config.json"), "utf8")) as Record<string, unknown>;
      const result = await exportAdapter(adapter, "merged", dir, { modelConfig });
      expect(result.files).toEqual(["config.json", "model.safetensors"]);
      expect(adapter.merged).toBe(false); // left as it was
      expect(tf.memory().numTensors).toBe(before);
      // Same tensor names and shapes as the base checkpoint: no adapter tensor, nothing missing.
      const base = await readSafetensorsFile(join(path, "model.safetensors"));
      const merged = await exportedShapes(dir, "model.safetensors");
      for (const [n, t] of base.tensors)
        if (!/position_ids|token_type_ids$/.test(n)) expect(merged[n], n).toEqual(t.shape);
      expect(Object.keys(merged).some((n) => n.includes("lora_"))).toBe(false);
      expect(JSON.parse(await readFile(join(dir, "config.json"), "utf8"))).toEqual(modelConfig);
      const reloaded = await loadEncoder(dir, quiet);
      const got = logits(reloaded, batch);
      expect(maxAbsDiff(got, adapted)).toBeLessThan(1e-5);
      expect(maxAbsDiff(got, logits(await loadEncoder(path, quiet), batch))).toBeGreaterThan(1e-3); // the export is not the base model
      reloaded.dispose();
      adapter.remove();
      model.dispose();
    });
  }

  it('"peft-lora": PEFT\'s documented LoRA layout (adapter_config.json + base_model.model.<module>.lora_A/B.weight)', async () => {
    const { model, batch } = await fixture("deberta-v3-tiny-cls3");
    const adapter = applyAdapter(model, { method: "aflora" }, { rng: new Rng(3) });
    perturb(adapter);
    const dir = join(out, "peft-lora");
    await exportAdapter(adapter, "peft-lora", dir, { baseModelNameOrPath: "microsoft/deberta-v3-base" });
    const cfg = JSON.parse(await readFile(join(dir, "adapter_config.json"), "utf8"));
    expect(cfg).toMatchObject({
      peft_type: "LORA",
      task_type: "SEQ_CLS",
      r: 4,
      base_model_name_or_path: "microsoft/deberta-v3-base",
      modules_to_save: ["classifier"],
    });
    expect(cfg.target_modules).toEqual([...adapter.modules.keys()]);
    expect(typeof cfg.lora_alpha).toBe("number");
    const shapes = await exportedShapes(dir);
    const expected: Record<string, number[]> = {};
    for (const [name, m] of adapter.modules) {
      // PEFT: lora_A is nn.Linear(in, r) → weight [r, in]; lora_B is nn.Linear(r, out) → weight [out, r].
      expected[`base_model.model.${name}.lora_A.weight`] = [4, m.plan.module.inFeatures];
      expected[`base_model.model.${name}.lora_B.weight`] = [m.plan.module.outFeatures, 4];
    }
    for (const n of adapter.savedParameters) {
      const hf = adapter.params.stateValue(n); // the head in Hugging Face layout ([out, in] weight, [out] bias)
      expected[`base_model.model.${n}`] = [...hf.shape];
      hf.dispose();
    }
    expect(expected["base_model.model.classifier.weight"]).toEqual([3, model.config.hiddenSize]);
    expect(shapes).toEqual(expected);
    expect(Object.keys(shapes)).toContain("base_model.model.classifier.weight");
    // aflora reads it back as a plain LoRA with the same function.
    const adapted = logits(model, batch);
    adapter.remove();
    const back = await loadAdapter(model, dir);
    expect(maxAbsDiff(logits(model, batch), adapted)).toBeLessThan(1e-5);
    back.remove();
    model.dispose();
  });

  it('"peft-aflora" keeps the λ vectors and restores the adapter exactly; non-finite weights are never exported', async () => {
    const { model, batch } = await fixture("bert-tiny-cls3");
    const adapter = applyAdapter(model, { method: "aflora" }, { rng: new Rng(3) });
    perturb(adapter);
    const adapted = logits(model, batch);
    const dir = join(out, "peft-aflora");
    await exportAdapter(adapter, "peft-aflora", dir);
    const cfg = JSON.parse(await readFile(join(dir, "adapter_config.json"), "utf8"));
    expect(cfg.peft_type).toBe("AFLORA");
    expect(Object.keys(await exportedShapes(dir)).some((n) => n.endsWith("lora_d"))).toBe(true);
    adapter.remove();
    const back = await loadAdapter(model, dir);
    expect(maxAbsDiff(logits(model, batch), adapted)).toBe(0);
    back
      .variable(back.parameterNames.find((n) => n.endsWith("lora_d"))!)
      .assign(tf.fill(back.variable(back.parameterNames.find((n) => n.endsWith("lora_d"))!).shape, NaN));
    for (const format of EXPORT_FORMATS) {
      await expect(exportAdapter(back, format, join(out, `nan-${format}`), { modelConfig: {} })).rejects.toThrow(
        /holds NaN or infinite values \(the run diverged\); nothing was written/,
      );
    }
    await expect(exportAdapter(back, "zip" as never, out)).rejects.toThrow(
      /export format: expected one of peft-lora, merged, peft-aflora/,
    );
    await expect(exportAdapter(back, "merged", join(out, "no-config"))).rejects.toThrow(/modelConfig .* is required/);
    back.remove();
    model.dispose();
  });
});
