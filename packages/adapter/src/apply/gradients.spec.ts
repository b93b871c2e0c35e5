import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { applyAdapter } from "./apply.js";
import { useCpuBackend } from "../../test/backend.js";
import { tinyModel } from "../../test/tiny-model.js";

useCpuBackend();

const M = "bert.encoder.layer.0.intermediate.dense";
const N = 3; // rows of x
const IN = 6;
const OUT = 10;
const R = 2;

/** loss = Σ G ⊙ (x·W + b + λb ⊙ ((λd ⊙ (x·A))·B)) in float64 plain JS, kernels in [in,r] / [r,out] layout. */
function lossF64(p: {
  x: number[][];
  W: number[][];
  bias: number[];
  A: number[][];
  B: number[][];
  d: number[];
  db: number[];
  G: number[][];
}): number {
  let s = 0;
  for (let n = 0; n < N; n++) {
    const h = Array.from({ length: R }, (_, k) => p.d[k]! * p.x[n]!.reduce((acc, xi, i) => acc + xi * p.A[i]![k]!, 0));
    for (let j = 0; j < OUT; j++) {
      let y = p.bias[j]!;
      for (let i = 0; i < IN; i++) y += p.x[n]![i]! * p.W[i]![j]!;
      let z = 0;
      for (let k = 0; k < R; k++) z += h[k]! * p.B[k]![j]!;
      y += p.db[j]! * z;
      s += p.G[n]![j]! * y;
    }
  }
  return s;
}

describe("gradients of the low-rank path", () => {
  it("dL/dA, dL/dB, dL/dλd, dL/dλb match central finite differences (float64) to 1e-4", () => {
    const model = tinyModel();
    const adapter = applyAdapter(
      model,
      { method: "aflora", r: R, trainablePm: "all", targetModules: [`layer.0.intermediate.dense`] },
      { rng: new Rng(2) },
    );
    const rng = new Rng(11);
    // λb ≠ 0, otherwise A, B and λd get exactly zero gradient (PAPER §1.1).
    adapter.variable(`${M}.lora_db`).assign(tf.tensor1d(rng.uniformArray(OUT, -1, 1)));
    adapter.variable(`${M}.lora_d`).assign(tf.tensor1d(rng.uniformArray(R, -1, 1)));
    const linear = model.linears().get(M)!;
    const x = tf.tensor2d(rng.uniformArray(N * IN, -1, 1), [N, IN]);
    const G = tf.tensor2d(rng.uniformArray(N * OUT, -1, 1), [N, OUT]);
    const names = [`${M}.lora_A.weight`, `${M}.lora_B.weight`, `${M}.lora_d`, `${M}.lora_db`];
    const vars = names.map((n) => adapter.variable(n));
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(linear.apply(x), G)) as tf.Scalar, vars);
    const p = {
      x: x.arraySync(),
      W: linear.kernel.arraySync() as number[][],
      bias: Array.from(linear.bias!.dataSync()),
      A: vars[0]!.arraySync() as number[][],
      B: vars[1]!.arraySync() as number[][],
      d: Array.from(vars[2]!.dataSync()),
      db: Array.from(vars[3]!.dataSync()),
      G: G.arraySync(),
    };
    expect(value.dataSync()[0]).toBeCloseTo(lossF64(p), 4);
    const keys = ["A", "B", "d", "db"] as const;
    const eps = 1e-6;
    keys.forEach((key, vi) => {
      const g = grads[vars[vi]!.name]!.dataSync();
      const flat = (p[key] as number[] | number[][]).flat();
      const cols = Array.isArray(p[key][0]) ? (p[key][0] as number[]).length : 1;
      expect(g.length).toBe(flat.length);
      for (let e = 0; e < flat.length; e++) {
        const bump = (delta: number) => {
          const q = structuredClone(p);
          if (cols > 1 || Array.isArray(q[key][0])) (q[key] as number[][])[Math.floor(e / cols)]![e % cols]! += delta;
          else (q[key] as number[])[e]! += delta;
          return lossF64(q);
        };
        const fd = (bump(eps) - bump(-eps)) / (2 * eps);
        expect(Math.abs(g[e]! - fd)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fd)));
      }
    });
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, G]);
    adapter.remove();
    model.dispose();
  });

  it("at init (λb = 0) only λb has a non-zero gradient, as in the authors' code", () => {
    const model = tinyModel();
    const adapter = applyAdapter(
      model,
      { method: "aflora", trainablePm: "all", targetModules: [`layer.0.intermediate.dense`] },
      { rng: new Rng(2) },
    );
    const x = tf.tensor2d(new Rng(1).uniformArray(N * IN, -1, 1), [N, IN]);
    const vars = adapter.parameterNames.map((n) => adapter.variable(n));
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.square(model.linears().get(M)!.apply(x))) as tf.Scalar,
      vars,
    );
    for (const n of adapter.parameterNames) {
      const g = grads[adapter.variable(n).name]!;
      const maxAbs = Math.max(...Array.from(g.dataSync()).map(Math.abs));
      if (n.endsWith("lora_db")) expect(maxAbs).toBeGreaterThan(0);
      else expect(maxAbs).toBe(0);
    }
    tf.dispose([x, value, ...Object.values(grads)]);
    adapter.remove();
    model.dispose();
  });

  it("frozen matrices are never in the variable list the gradient is computed for", () => {
    const model = tinyModel();
    const adapter = applyAdapter(model, { method: "aflora" }, { rng: new Rng(2) });
    const frozenAttention = adapter.matrixNames.filter((n) => n.includes(".attention."));
    expect(frozenAttention).toHaveLength(16);
    model.params.freeze([`${M}.lora_A.weight`], "test freeze");
    const trainable = model.params.trainableVariables();
    for (const n of [...frozenAttention, `${M}.lora_A.weight`]) {
      expect(trainable.has(n)).toBe(false);
      expect(adapter.variable(n).trainable).toBe(false);
    }
    expect([...trainable.keys()].filter((n) => n.endsWith(".weight") && n.includes("lora_"))).toEqual([
      `${M}.lora_B.weight`,
      "bert.encoder.layer.0.output.dense.lora_A.weight",
      "bert.encoder.layer.0.output.dense.lora_B.weight",
      "bert.encoder.layer.1.intermediate.dense.lora_A.weight",
      "bert.encoder.layer.1.intermediate.dense.lora_B.weight",
      "bert.encoder.layer.1.output.dense.lora_A.weight",
      "bert.encoder.layer.1.output.dense.lora_B.weight",
    ]);
    const x = tf.tensor2d(new Rng(1).uniformArray(2 * IN, -1, 1), [2, IN]);
    const { value, grads } = tf.variableGrads(() => tf.sum(model.forward(x)) as tf.Scalar, [...trainable.values()]);
    const byVar = new Set(Object.keys(grads));
    expect(byVar.size).toBe(trainable.size);
    for (const n of [...frozenAttention, `${M}.lora_A.weight`]) expect(byVar.has(adapter.variable(n).name)).toBe(false);
    tf.dispose([x, value, ...Object.values(grads)]);
    adapter.remove();
    model.dispose();
  });
});
