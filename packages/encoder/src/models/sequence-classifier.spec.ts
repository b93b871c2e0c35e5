import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { fileURLToPath } from "node:url";
import { ParameterRegistry, readSafetensorsFile, type LinearAdapter, type TextBatch } from "@aflora/core";
import { beforeAll, describe, expect, it } from "vitest";
import { loadEncoder } from "../load/load-encoder.js";
import { loadParityBatches } from "../repro/parity.js";
import { linearModuleSpecs } from "./state-dict-spec.js";
import type { EncoderForSequenceClassification } from "./sequence-classifier.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../../../fixtures/hf-parity/${name}`, import.meta.url));

async function firstBatch(name: string): Promise<TextBatch> {
  return (await loadParityBatches(fixture(name)))[0]!.batch;
}

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let scale = 1e-6;
  let diff = 0;
  for (let i = 0; i < y.length; i++) {
    scale = Math.max(scale, Math.abs(y[i]!));
    diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
  }
  return diff / scale;
}

/** Runs lossAndGradients twice from the same dropout state, without and with per-layer recompute. */
function bothModes(model: EncoderForSequenceClassification, batch: TextBatch, vars: Map<string, tf.Variable>) {
  const state = model.saveState();
  model.recompute = false;
  const whole = model.lossAndGradients(batch, vars);
  model.loadState(state);
  model.recompute = true;
  const segmented = model.lossAndGradients(batch, vars);
  return { whole, segmented };
}

function disposeResult(r: { loss: tf.Scalar; grads: Map<string, tf.Tensor> }): void {
  r.loss.dispose();
  tf.dispose([...r.grads.values()]);
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("EncoderForSequenceClassification", () => {
  it("registers every weight under its HF name: base frozen, classifier trainable, Linear kernels [in, out]", async () => {
    const registry = new ParameterRegistry();
    const model = await loadEncoder(fixture("deberta-v3-tiny-cls3"), { registry, warn: () => undefined });
    const file = await readSafetensorsFile(`${fixture("deberta-v3-tiny-cls3")}/model.safetensors`);
    expect(new Set(registry.names())).toEqual(new Set(file.tensors.keys()));
    expect(registry.names({ trainable: true })).toEqual(["classifier.weight", "classifier.bias"]);
    expect(registry.get("classifier.weight").group).toBe("head");
    expect(registry.get("pooler.dense.weight")).toMatchObject({ group: "base", trainable: false });
    const q = registry.get("deberta.encoder.layer.0.attention.self.query_proj.weight");
    expect(q.variable.shape).toEqual([32, 32]);
    expect(q.stateShape).toEqual([32, 32]);
    const cls = registry.get("classifier.weight");
    expect(cls.variable.shape).toEqual([32, 3]);
    expect(cls.stateShape).toEqual([3, 32]);
    const back = registry.stateValue("classifier.weight");
    expect([...back.dataSync()]).toEqual([...(file.tensors.get("classifier.weight")!.data as Float32Array)]);
    back.dispose();
    const linears = model.linears();
    expect(linears.get("deberta.encoder.layer.0.attention.self.query_proj")!.kernel).toBe(q.variable);
    expect(
      [...linears.values()].map((l) => ({ name: l.name, inFeatures: l.inFeatures, outFeatures: l.outFeatures })),
    ).toEqual(linearModuleSpecs(model.config));
    model.dispose();
    expect(registry.names()).toEqual([]);
  });

  it("per-layer recomputation gives the whole-graph loss and gradients, dropout on, every parameter trainable", async () => {
    for (const name of ["deberta-v3-tiny-cls3", "bert-tiny-cls3", "deberta-v2-tiny-c2p-clamp"]) {
      const registry = new ParameterRegistry();
      const model = await loadEncoder(fixture(name), { registry, warn: () => undefined, seed: 7 });
      const batch = await firstBatch(name);
      const vars = new Map(registry.list().map((p) => [p.name, p.variable]));
      const before = tf.memory().numTensors;
      const { whole, segmented } = bothModes(model, batch, vars);
      expect(segmented.loss.dataSync()[0]).toBeCloseTo(whole.loss.dataSync()[0]!, 6);
      expect([...segmented.grads.keys()]).toEqual([...vars.keys()]);
      for (const [n, g] of whole.grads) {
        expect(segmented.grads.get(n)!.shape, n).toEqual(vars.get(n)!.shape);
        expect(maxRelDiff(segmented.grads.get(n)!, g), `${name} ${n}`).toBeLessThan(1e-5);
      }
      // Dropout was really on: the eval-mode loss differs.
      const evalLoss = model.loss(batch);
      expect(Math.abs(evalLoss.dataSync()[0]! - whole.loss.dataSync()[0]!)).toBeGreaterThan(1e-4);
      evalLoss.dispose();
      disposeResult(whole);
      disposeResult(segmented);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    }
  });

  it("differentiates exactly the requested variables, including adapter variables inside layers and foreign ones", async () => {
    const registry = new ParameterRegistry();
    const model = await loadEncoder(fixture("deberta-v3-tiny-cls3"), { registry, warn: () => undefined });
    model.setTraining(false);
    const target = model.linears().get("deberta.encoder.layer.1.attention.self.value_proj")!;
    const a = tf.variable(tf.randomNormal([32, 2], 0, 0.3, "float32", 1));
    const b = tf.variable(tf.randomNormal([2, 32], 0, 0.3, "float32", 2));
    // A variable whose name says nothing about where it is used: it must still get its full gradient.
    const s = tf.variable(tf.scalar(1.5));
    const adapter: LinearAdapter = {
      forward: (x) => tf.mul(tf.matMul(tf.matMul(x, a), b), s),
      deltaKernel: () => tf.mul(tf.matMul(a, b), s) as tf.Tensor2D,
    };
    target.adapter = adapter;
    registry.register("deberta.encoder.layer.1.attention.self.value_proj.lora_A.weight", a, {
      group: "adapter-matrix",
      trainable: true,
    });
    registry.register("deberta.encoder.layer.1.attention.self.value_proj.lora_B.weight", b, {
      group: "adapter-matrix",
      trainable: true,
    });
    registry.register("shared_scale", s, { group: "adapter-vector", trainable: true });
    const batch = await firstBatch("deberta-v3-tiny-cls3");
    const vars = registry.trainableVariables();
    expect([...vars.keys()].sort()).toEqual(
      [
        "classifier.bias",
        "classifier.weight",
        "deberta.encoder.layer.1.attention.self.value_proj.lora_A.weight",
        "deberta.encoder.layer.1.attention.self.value_proj.lora_B.weight",
        "shared_scale",
      ].sort(),
    );
    const { whole, segmented } = bothModes(model, batch, vars);
    expect([...segmented.grads.keys()]).toEqual([...vars.keys()]);
    for (const [n, g] of whole.grads) expect(maxRelDiff(segmented.grads.get(n)!, g), n).toBeLessThan(1e-5);
    expect(Math.abs(segmented.grads.get("shared_scale")!.dataSync()[0]!)).toBeGreaterThan(0);
    disposeResult(whole);
    disposeResult(segmented);
    model.dispose();
    registry.dispose();
  });

  it("counts only the first `examples` rows in the loss and leaks no tensors", async () => {
    const registry = new ParameterRegistry();
    const model = await loadEncoder(fixture("bert-tiny-cls3"), { registry, warn: () => undefined });
    const batch = await firstBatch("bert-tiny-cls3");
    const s = batch.seqLength;
    const firstTwo: TextBatch = {
      batchSize: 2,
      seqLength: s,
      inputIds: batch.inputIds.slice(0, 2 * s),
      attentionMask: batch.attentionMask.slice(0, 2 * s),
      tokenTypeIds: batch.tokenTypeIds!.slice(0, 2 * s),
      labels: (batch.labels as Int32Array).slice(0, 2),
    };
    const before = tf.memory().numTensors;
    const a = model.loss({ ...batch, examples: 2 });
    const b = model.loss(firstTwo);
    expect(a.dataSync()[0]).toBeCloseTo(b.dataSync()[0]!, 6);
    tf.dispose([a, b]);
    const logits = model.predict(batch);
    expect(logits.shape).toEqual([4, 3]);
    logits.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("refuses malformed batches with one error naming the field", async () => {
    const registry = new ParameterRegistry();
    const model = await loadEncoder(fixture("roberta-tiny-cls2"), { registry, warn: () => undefined });
    const ok = await firstBatch("roberta-tiny-cls2");
    const bad = Int32Array.from(ok.inputIds);
    bad[3] = 99999;
    expect(() => model.predict({ ...ok, inputIds: bad })).toThrow(
      /batch\.inputIds\[0\]\[3\] = 99999 is outside 0\.\.\d+ \(vocab_size/,
    );
    expect(() => model.predict({ ...ok, attentionMask: ok.attentionMask.slice(1) })).toThrow(
      /batch\.attentionMask: \d+ values, expected batchSize × seqLength/,
    );
    const long = 70;
    const ids = new Int32Array(long).fill(5);
    expect(() =>
      model.predict({ batchSize: 1, seqLength: long, inputIds: ids, attentionMask: new Int32Array(long).fill(1) }),
    ).toThrow(/sequence length 70 needs position id 71, but the model has max_position_embeddings 66/);
    expect(() => model.lossAndGradients({ ...ok, labels: undefined }, new Map())).toThrow(/batch\.labels/);
    const types = new Int32Array(ok.inputIds.length).fill(1);
    expect(() => model.predict({ ...ok, tokenTypeIds: types })).toThrow(
      /batch\.tokenTypeIds\[0\]\[0\] = 1 is outside 0\.\.0 \(type_vocab_size 1\)/,
    );
    model.dispose();
  });

  it("ignores token type ids when the model has none (type_vocab_size 0), as Transformers does", async () => {
    const registry = new ParameterRegistry();
    const model = await loadEncoder(fixture("deberta-v3-tiny-cls3"), { registry, warn: () => undefined });
    const batch = await firstBatch("deberta-v3-tiny-cls3");
    const plain = model.predict(batch);
    const typed = model.predict({ ...batch, tokenTypeIds: new Int32Array(batch.inputIds.length).fill(1) });
    expect([...typed.dataSync()]).toEqual([...plain.dataSync()]);
    tf.dispose([plain, typed]);
    model.dispose();
  });
});
