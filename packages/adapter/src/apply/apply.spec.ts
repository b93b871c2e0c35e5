import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { applyAdapter } from "./apply.js";
import { useCpuBackend } from "../../test/backend.js";
import { snapshot, tinyModel } from "../../test/tiny-model.js";

useCpuBackend();

const L0 = "bert.encoder.layer.0";

describe("applyAdapter", () => {
  it("registers AFLoRA tensors with PEFT names, groups and the paper's init; freezes the base, trains the head", () => {
    const model = tinyModel();
    const before = tf.memory().numTensors;
    const a = applyAdapter(model, { method: "aflora" }, { rng: new Rng(0) });
    const p = model.params;
    const ffnA = p.get(`${L0}.intermediate.dense.lora_A.weight`);
    expect(ffnA.group).toBe("adapter-matrix");
    expect(ffnA.trainable).toBe(true);
    expect(ffnA.stateShape).toEqual([4, 6]);
    expect(ffnA.variable.shape).toEqual([6, 4]); // kernel layout [in, r]
    expect(p.get(`${L0}.intermediate.dense.lora_B.weight`).stateShape).toEqual([10, 4]);
    expect(p.get(`${L0}.intermediate.dense.lora_B.weight`).variable.shape).toEqual([4, 10]);
    // attention A/B frozen from the start (trainablePm "ffn"), by module name.
    expect(p.get(`${L0}.attention.self.query.lora_A.weight`).trainable).toBe(false);
    expect(p.get(`${L0}.attention.output.dense.lora_B.weight`).trainable).toBe(false);
    expect(p.get(`${L0}.output.dense.lora_A.weight`).trainable).toBe(true);
    const d = p.get(`${L0}.attention.self.query.lora_d`);
    expect(d.group).toBe("adapter-vector");
    expect(d.trainable).toBe(true);
    expect(Array.from(d.variable.dataSync())).toEqual(new Array(4).fill(Math.fround(0.1)));
    expect(Array.from(p.get(`${L0}.output.dense.lora_db`).variable.dataSync())).toEqual(new Array(6).fill(0));
    // Kaiming-uniform bounds: √(6/in) for A, √(6/r) for B.
    const aVals = p.get(`${L0}.output.dense.lora_A.weight`).variable.dataSync();
    const bVals = p.get(`${L0}.output.dense.lora_B.weight`).variable.dataSync();
    expect(Math.max(...aVals.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 10));
    expect(Math.max(...bVals.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 4));
    expect(Math.max(...bVals.map(Math.abs))).toBeGreaterThan(Math.sqrt(6 / 10));
    // Base frozen, head trainable, adapters on the six projections of both layers only.
    expect(p.get(`${L0}.attention.self.query.weight`).trainable).toBe(false);
    expect(p.get("bert.pooler.dense.weight").trainable).toBe(false);
    expect(p.get("classifier.weight").trainable).toBe(true);
    expect(p.get("classifier.bias").trainable).toBe(true);
    expect(a.modules.size).toBe(12);
    expect(model.linears().get("bert.pooler.dense")!.adapter).toBeNull();
    expect(a.modulesToSave).toEqual(["classifier"]);
    expect(a.matrixNames).toHaveLength(24);
    // 12 modules × (d + db) + 4 FFN modules' A/B + classifier (3×6 + 3)
    expect(a.counts().trainableWithoutHead).toBe(
      8 * (4 + 6) + 2 * (4 + 10) + 2 * (4 + 6) + 2 * (4 * 6 + 10 * 4) + 2 * (4 * 10 + 6 * 4),
    );
    expect(a.counts().trainable - a.counts().trainableWithoutHead).toBe(21);
    a.remove();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("LoRA: B = 0, A within PEFT's kaiming_uniform_(a=√5) bound 1/√in, both trainable", () => {
    const model = tinyModel();
    const a = applyAdapter(model, { method: "lora", r: 2, alpha: 4 }, { rng: new Rng(0) });
    const A = model.params.get(`${L0}.intermediate.dense.lora_A.weight`);
    const B = model.params.get(`${L0}.intermediate.dense.lora_B.weight`);
    expect(A.trainable && B.trainable).toBe(true);
    expect(Array.from(B.variable.dataSync()).every((v) => v === 0)).toBe(true);
    expect(Math.max(...A.variable.dataSync().map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(6));
    expect(model.params.has(`${L0}.intermediate.dense.lora_d`)).toBe(false);
    a.remove();
    model.dispose();
  });

  it("ELoRA: A/B frozen (per module or one shared pair), λ trainable", () => {
    const model = tinyModel();
    const a = applyAdapter(model, { method: "elora", r: 16 }, { rng: new Rng(0) });
    expect(model.params.get(`${L0}.intermediate.dense.lora_A.weight`).trainable).toBe(false);
    expect(model.params.get(`${L0}.intermediate.dense.lora_A.weight`).stateShape).toEqual([16, 6]);
    expect(model.params.get(`${L0}.intermediate.dense.lora_d`).trainable).toBe(true);
    expect(model.params.trainableVariables().has(`${L0}.intermediate.dense.lora_B.weight`)).toBe(false);
    a.remove();
    const s = applyAdapter(model, { method: "elora", r: 16, sharedProjection: true }, { rng: new Rng(0) });
    expect(model.params.get("vera_A").stateShape).toEqual([16, 10]);
    expect(model.params.get("vera_B").stateShape).toEqual([10, 16]);
    expect(model.params.has(`${L0}.intermediate.dense.lora_A.weight`)).toBe(false);
    expect(s.matrixNames).toEqual(["vera_A", "vera_B"]);
    s.remove();
    model.dispose();
  });

  it("initialisation depends on the module name, not on which other modules are adapted", () => {
    const name = `bert.encoder.layer.1.output.dense.lora_A.weight`;
    const m1 = tinyModel();
    const a1 = applyAdapter(m1, { method: "aflora" }, { rng: new Rng(9) });
    const m2 = tinyModel();
    const a2 = applyAdapter(m2, { method: "aflora", targetModules: ["layer.1.output.dense"] }, { rng: new Rng(9) });
    expect(a2.modules.size).toBe(1);
    expect(Array.from(m1.params.get(name).variable.dataSync())).toEqual(
      Array.from(m2.params.get(name).variable.dataSync()),
    );
    const m3 = tinyModel();
    applyAdapter(m3, { method: "aflora" }, { rng: new Rng(10) });
    expect(Array.from(m3.params.get(name).variable.dataSync())).not.toEqual(
      Array.from(m1.params.get(name).variable.dataSync()),
    );
    a1.remove();
    a2.remove();
    for (const m of [m1, m2, m3]) m.dispose();
  });

  it("remove restores the model exactly after a freeze; after merge/unmerge W0 comes back to float32 rounding", () => {
    const model = tinyModel();
    const x = tf.tensor2d(new Rng(3).uniformArray(4 * 6, -1, 1), [4, 6]);
    const y0 = model.forward(x);
    const snap = snapshot(model);
    const a = applyAdapter(model, { method: "aflora", bInit: 0.5 }, { rng: new Rng(0) });
    model.params.freeze([`${L0}.output.dense.lora_A.weight`], "test");
    expect(a.variable(`${L0}.output.dense.lora_A.weight`).trainable).toBe(false);
    a.remove();
    expect(snapshot(model)).toEqual(snap);
    const y1 = model.forward(x);
    expect(Array.from(y1.dataSync())).toEqual(Array.from(y0.dataSync()));
    expect(() => a.merge()).toThrow(/removed/);
    const b = applyAdapter(model, { method: "aflora", bInit: 0.5 }, { rng: new Rng(0) });
    b.merge();
    expect(b.merged).toBe(true);
    b.remove();
    const after = snapshot(model);
    expect(after.flags).toEqual(snap.flags);
    expect(after.adapters).toEqual(snap.adapters);
    for (const [n, v] of snap.values) {
      const w = after.values.get(n)!;
      expect(Math.max(...v.map((e, i) => Math.abs(e - w[i]!)))).toBeLessThan(1e-6);
    }
    tf.dispose([x, y0, y1]);
    model.dispose();
  });
});

describe("bad input: one clear error and the model left exactly as it was", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["unknown method", { method: "dora" }, /method: unknown adapter method "dora" \(known: lora, elora, aflora\)/],
    [
      "LoRA rank above min(in, out)",
      { method: "lora", r: 7 },
      /r: rank 7 exceeds min\(in, out\) = 6 of module bert\.encoder\.layer\.0\.attention\.self\.query/,
    ],
    [
      "a target that matches nothing",
      { method: "aflora", targetModules: ["query", "q_proj"] },
      /targetModules: "q_proj" matches no Linear module/,
    ],
    [
      "a regex that matches nothing",
      { method: "aflora", targetModules: ".*query_proj" },
      /targetModules: regex ".*query_proj" matches no Linear module/,
    ],
    ["an unknown option", { method: "aflora", rank: 4 }, /rank: unknown option for aflora/],
    [
      "a bad trainablePm",
      { method: "aflora", trainablePm: "mlp" },
      /trainablePm: expected one of "ffn", "attention", "all", "none", got "mlp"/,
    ],
    [
      "a missing modulesToSave module",
      { method: "lora", r: 2, modulesToSave: ["score"] },
      /modulesToSave: "score" matches no parameter/,
    ],
    ["a negative dropout", { method: "lora", dropout: -0.1 }, /dropout: expected a dropout rate in \[0, 1\)/],
  ];
  for (const [what, config, message] of cases) {
    it(what, () => {
      const model = tinyModel();
      const snap = snapshot(model);
      const before = tf.memory().numTensors;
      expect(() => applyAdapter(model, config, { rng: new Rng(0) })).toThrow(message);
      expect(tf.memory().numTensors).toBe(before);
      expect(snapshot(model)).toEqual(snap);
      model.dispose();
    });
  }

  it("a second adapter on the same modules", () => {
    const model = tinyModel();
    const a = applyAdapter(model, { method: "lora", r: 2 }, { rng: new Rng(0) });
    const snap = snapshot(model);
    expect(() => applyAdapter(model, { method: "aflora" }, { rng: new Rng(0) })).toThrow(
      /already has an adapter; remove it first/,
    );
    expect(snapshot(model)).toEqual(snap);
    a.remove();
    model.dispose();
  });
});

describe("parseAdapterConfig", () => {
  it("names a missing method", async () => {
    const { parseAdapterConfig } = await import("../methods.js");
    expect(() => parseAdapterConfig({ r: 4 })).toThrow("method: missing (one of lora, elora, aflora)");
    expect(parseAdapterConfig({ method: "aflora", r: 8 })).toMatchObject({ method: "aflora", r: 8 });
  });
});
