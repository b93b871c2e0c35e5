import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { Rng, type TextBatch } from "@aflora/core";
import { loadEncoder, type EncoderForSequenceClassification } from "@aflora/encoder";
import { describe, expect, it } from "vitest";
import { applyAdapter } from "./apply/apply.js";
import { paramsReport } from "./report/params-report.js";
import type { AppliedAdapter } from "./apply/applied-adapter.js";
import { useCpuBackend } from "../test/backend.js";

useCpuBackend();

const FIXTURES = new URL("../../../fixtures/hf-parity/", import.meta.url);

interface FixtureBatch {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
}

async function fixture(
  folder: string,
  recompute = false,
): Promise<{ model: EncoderForSequenceClassification; batch: TextBatch; mask: number[][] }> {
  const model = await loadEncoder(fileURLToPath(new URL(folder, FIXTURES)), { warn: () => undefined, recompute });
  const expected = JSON.parse(await readFile(new URL(`${folder}/expected.json`, FIXTURES), "utf8")) as {
    batches: FixtureBatch[];
  };
  const b = expected.batches[0]!;
  const batch: TextBatch = {
    batchSize: b.input_ids.length,
    seqLength: b.input_ids[0]!.length,
    inputIds: Int32Array.from(b.input_ids.flat()),
    attentionMask: Int32Array.from(b.attention_mask.flat()),
    ...(b.token_type_ids ? { tokenTypeIds: Int32Array.from(b.token_type_ids.flat()) } : {}),
  };
  return { model, batch, mask: b.attention_mask };
}

/** Trained-looking values: λb ≠ 0 and B ≠ 0, so the path changes the outputs. */
function perturb(adapter: AppliedAdapter): void {
  const rng = new Rng(12);
  for (const n of adapter.parameterNames) {
    if (!/lora_B\.weight$|lora_db$|lora_d$/.test(n)) continue;
    const v = adapter.variable(n);
    v.assign(tf.tensor(rng.uniformArray(v.size, -0.5, 0.5), v.shape));
  }
}

/** max |a − b| over real tokens of [B, S, H] tensors. */
function maxDiffAtRealTokens(a: tf.Tensor3D, b: tf.Tensor3D, mask: number[][]): number {
  const [B, S, H] = a.shape;
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < B; i++)
    for (let s = 0; s < S; s++)
      if (mask[i]![s])
        for (let h = 0; h < H; h++) m = Math.max(m, Math.abs(x[(i * S + s) * H + h]! - y[(i * S + s) * H + h]!));
  return m;
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = d.dataSync()[0]!;
  d.dispose();
  return v;
}

describe("on the encoder fixtures (hf-parity): merged and unmerged outputs agree to 1e-5", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["deberta-v3-tiny-cls3", { method: "aflora" }],
    ["deberta-v3-tiny-cls3", { method: "lora", r: 4, alpha: 8 }],
    ["deberta-v2-tiny-c2p-clamp", { method: "elora", r: 64, sharedProjection: true }],
    ["bert-tiny-cls3", { method: "elora", r: 64 }],
    ["roberta-tiny-cls2", { method: "aflora", trainablePm: "all", targetModules: "all-linear" }],
  ];
  for (const [folder, config] of cases) {
    it(`${folder} + ${JSON.stringify(config)}`, async () => {
      const { model, batch, mask } = await fixture(folder);
      const base = model.forward(batch);
      const adapter = applyAdapter(model, config, { rng: new Rng(3) });
      expect(adapter.modules.size).toBeGreaterThanOrEqual(6 * model.config.numHiddenLayers);
      perturb(adapter);
      const before = tf.memory().numTensors;
      const unmerged = model.forward(batch);
      // The adapter really changes the model…
      expect(maxDiff(unmerged.logits, base.logits)).toBeGreaterThan(1e-3);
      adapter.merge();
      const merged = model.forward(batch);
      // …and merging it into W0 changes nothing but the cost.
      expect(maxDiffAtRealTokens(merged.lastHiddenState, unmerged.lastHiddenState, mask)).toBeLessThan(1e-5);
      expect(maxDiff(merged.logits, unmerged.logits)).toBeLessThan(1e-5);
      adapter.unmerge();
      const back = model.forward(batch);
      expect(maxDiff(back.logits, unmerged.logits)).toBeLessThan(1e-5);
      for (const o of [unmerged, merged, back]) tf.dispose([o.logits, o.pooledOutput, o.lastHiddenState]);
      expect(tf.memory().numTensors).toBe(before);
      adapter.remove();
      const removed = model.forward(batch);
      // W0 went through merge and unmerge: back to float32 rounding (never bit-exact, as in PEFT).
      expect(maxDiff(removed.logits, base.logits)).toBeLessThan(1e-5);
      for (const o of [base, removed]) tf.dispose([o.logits, o.pooledOutput, o.lastHiddenState]);
      model.dispose();
    });
  }

  it("deberta-v3-tiny-cls3: the model's own gradients cover exactly the trainable set and reach the adapter", async () => {
    const { model, batch } = await fixture("deberta-v3-tiny-cls3");
    const adapter = applyAdapter(model, { method: "aflora", bInit: 0.3 }, { rng: new Rng(3) });
    model.setTraining(false);
    const vars = model.params.trainableVariables();
    const frozen = adapter.matrixNames.filter((n) => n.includes(".attention."));
    expect(frozen).toHaveLength(16);
    for (const n of frozen) expect(vars.has(n)).toBe(false);
    const labels = Int32Array.from({ length: batch.batchSize }, (_, i) => i % 3);
    const { loss, grads } = model.lossAndGradients({ ...batch, labels }, vars);
    expect([...grads.keys()]).toEqual([...vars.keys()]);
    const ffnA = grads.get("deberta.encoder.layer.1.intermediate.dense.lora_A.weight")!;
    expect(ffnA.shape).toEqual([32, 4]);
    expect(Math.max(...Array.from(ffnA.dataSync()).map(Math.abs))).toBeGreaterThan(0);
    tf.dispose([loss, ...grads.values()]);
    adapter.remove();
    model.dispose();
  });

  it("deberta-v3-tiny-cls3: per-layer recomputation gives the adapter the same gradients as the whole graph", async () => {
    const grads = async (recompute: boolean, shared: boolean) => {
      const { model, batch } = await fixture("deberta-v3-tiny-cls3", recompute);
      const adapter = applyAdapter(
        model,
        { method: shared ? "elora" : "aflora", bInit: 0.3, ...(shared ? { r: 16, sharedProjection: true } : {}) },
        { rng: new Rng(3) },
      );
      model.setTraining(false);
      const labels = Int32Array.from({ length: batch.batchSize }, (_, i) => i % 3);
      const out = model.lossAndGradients({ ...batch, labels }, model.params.trainableVariables());
      const values = new Map([...out.grads].map(([n, g]) => [n, Array.from(g.dataSync())]));
      tf.dispose([out.loss, ...out.grads.values()]);
      adapter.remove();
      model.dispose();
      return values;
    };
    for (const shared of [false, true]) {
      const whole = await grads(false, shared);
      const segmented = await grads(true, shared);
      expect([...segmented.keys()]).toEqual([...whole.keys()]);
      for (const [n, g] of whole) {
        const scale = Math.max(1e-3, ...g.map(Math.abs));
        const err = Math.max(...g.map((v, i) => Math.abs(v - segmented.get(n)![i]!)));
        expect(err, n).toBeLessThanOrEqual(1e-3 * scale);
      }
    }
  });

  it("paramsReport from config.json alone equals the counts of the loaded model with the adapter", async () => {
    for (const [folder, method] of [
      ["deberta-v3-tiny-cls3", "aflora"],
      ["deberta-v2-tiny-c2p-clamp", "lora"],
      ["roberta-tiny-cls2", "elora"],
      ["bert-tiny-stsb-regression", "aflora"],
    ] as const) {
      const { model } = await fixture(folder);
      const config = await readFile(new URL(`${folder}/config.json`, FIXTURES), "utf8");
      const options = method === "elora" ? { r: 16 } : method === "lora" ? { r: 4 } : {};
      const adapter = applyAdapter(model, { method, ...options }, { rng: new Rng(0) });
      const counts = adapter.counts();
      const report = paramsReport(config, { method, ...options });
      expect(
        { total: report.total, trainable: report.trainable, trainableWithoutHead: report.trainableWithoutHead },
        folder,
      ).toEqual({
        total: counts.total,
        trainable: counts.trainable,
        trainableWithoutHead: counts.trainableWithoutHead,
      });
      adapter.remove();
      model.dispose();
    }
  });
});
