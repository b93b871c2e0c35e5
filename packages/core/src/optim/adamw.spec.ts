import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { ParameterRegistry } from "../parameter-registry.js";
import { AdamW } from "./adamw.js";
import { paperParamGroups } from "./param-groups.js";

/** torch.optim.AdamW's single-tensor update, written out in float64 for one scalar parameter. */
function torchAdamW(
  p0: number,
  grads: number[],
  lrs: number[],
  wd: number,
  b1 = 0.9,
  b2 = 0.999,
  eps = 1e-8,
): number[] {
  let p = p0;
  let m = 0;
  let v = 0;
  const out: number[] = [];
  grads.forEach((g, i) => {
    const t = i + 1;
    const lr = lrs[i]!;
    p = p * (1 - lr * wd); // param.mul_(1 - lr * weight_decay)
    m = m + (g - m) * (1 - b1); // exp_avg.lerp_(grad, 1 - beta1)
    v = v * b2 + (1 - b2) * g * g; // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    const stepSize = lr / (1 - b1 ** t);
    const denom = Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + eps; // (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
    p = p - stepSize * (m / denom); // param.addcdiv_(exp_avg, denom, value=-step_size)
    out.push(p);
  });
  return out;
}

function setup() {
  const reg = new ParameterRegistry();
  reg.register("encoder.weight", tf.variable(tf.tensor1d([0.5, -1.0, 2.0])), { group: "base", trainable: true });
  reg.register("encoder.bias", tf.variable(tf.tensor1d([0.3])), { group: "base", trainable: true });
  reg.register("classifier.weight", tf.variable(tf.tensor1d([1.5, -0.25])), { group: "head", trainable: true });
  reg.register("classifier.bias", tf.variable(tf.tensor1d([-0.1])), { group: "head", trainable: true });
  return reg;
}

const G: Record<string, number[][]> = {
  "encoder.weight": [
    [0.1, -0.2, 0.3],
    [0.05, 0.4, -0.1],
    [-0.3, 0.1, 0.2],
    [1e-9, -2.0, 0.0],
  ],
  "encoder.bias": [[0.7], [-0.7], [0.2], [0.0]],
  "classifier.weight": [
    [-0.5, 0.25],
    [0.1, 0.1],
    [0.3, -0.6],
    [0.01, 0.02],
  ],
  "classifier.bias": [[0.2], [0.2], [-0.4], [0.1]],
};

describe("AdamW", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("matches torch.optim.AdamW step by step, per parameter group (own head lr, no decay on biases)", () => {
    const reg = setup();
    const before = tf.memory().numTensors;
    const opt = new AdamW(reg, {
      lr: 2e-3,
      weightDecay: 0.1,
      groups: paperParamGroups({ headLr: 5e-2, weightDecay: 0.1 }),
    });
    expect(opt.groupOf("encoder.weight").name).toBe("default");
    expect(opt.groupOf("encoder.bias")).toMatchObject({ name: "no-decay", weightDecay: 0, lr: 2e-3 });
    expect(opt.groupOf("classifier.weight")).toMatchObject({ name: "head", weightDecay: 0.1, lr: 5e-2 });
    expect(opt.groupOf("classifier.bias")).toMatchObject({ name: "head-no-decay", weightDecay: 0, lr: 5e-2 });
    const factors = [0.5, 1, 0.75, 0.25];
    const p0: Record<string, number[]> = {};
    for (const n of reg.names()) p0[n] = Array.from(reg.get(n).variable.dataSync());
    for (let s = 0; s < 4; s++) {
      const grads = new Map(reg.names().map((n) => [n, tf.tensor1d(G[n]![s]!)] as const));
      opt.step(grads, factors[s]!);
      for (const g of grads.values()) g.dispose();
    }
    for (const n of reg.names()) {
      const g = opt.groupOf(n);
      const got = Array.from(reg.get(n).variable.dataSync());
      p0[n]!.forEach((x0, i) => {
        const want = torchAdamW(
          x0,
          G[n]!.map((row) => row[i]!),
          factors.map((f) => g.lr * f),
          g.weightDecay,
        ).at(-1)!;
        expect(Math.abs(got[i]! - want), `${n}[${i}]: ${got[i]} vs ${want}`).toBeLessThan(
          2e-6 * Math.max(1, Math.abs(want)),
        );
      });
    }
    expect(opt.learningRates(0.5)).toEqual({ "head-no-decay": 2.5e-2, head: 2.5e-2, "no-decay": 1e-3, default: 1e-3 });
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    reg.dispose();
  });

  it("checks a hand-computed first step: the update is ±lr when |g| ≫ eps", () => {
    const reg = new ParameterRegistry();
    reg.register("w", tf.variable(tf.tensor1d([1, 1])), { group: "base", trainable: true });
    const opt = new AdamW(reg, { lr: 0.1, weightDecay: 0.5 });
    const g = tf.tensor1d([3, -0.01]);
    opt.step(new Map([["w", g]]), 1);
    // decay: 1·(1 − 0.1·0.5) = 0.95; m̂ = g, v̂ = g², so the step is −0.1·sign(g)·|g|/(|g|+1e-8).
    const w = reg.get("w").variable.dataSync();
    expect(w[0]).toBeCloseTo(0.85, 6);
    expect(w[1]).toBeCloseTo(0.95 + 0.1 * (0.01 / (0.01 + 1e-8)), 6);
    g.dispose();
    opt.dispose();
    reg.dispose();
  });

  it("creates slots lazily and releases them when the registry freezes a parameter", () => {
    const reg = setup();
    const opt = new AdamW(reg, { lr: 1e-3 });
    expect(opt.slotNames()).toEqual([]);
    const grads = new Map(reg.names().map((n) => [n, tf.tensor1d(G[n]![0]!)] as const));
    const base = tf.memory().numTensors;
    opt.step(grads, 1);
    expect(opt.slotNames().sort()).toEqual(reg.names().sort());
    expect(tf.memory().numTensors).toBe(base + 8);
    reg.freeze(["encoder.weight", "classifier.bias"], "test");
    expect(opt.slotNames().sort()).toEqual(["classifier.weight", "encoder.bias"]);
    expect(tf.memory().numTensors).toBe(base + 4);
    // Frozen after its gradients were taken but before the update: updated once more, then no slots.
    reg.freeze(["encoder.bias"], "test");
    const b0 = reg.get("encoder.bias").variable.dataSync()[0];
    opt.step(new Map([["encoder.bias", grads.get("encoder.bias")!]]), 1);
    expect(reg.get("encoder.bias").variable.dataSync()[0]).not.toBe(b0);
    expect(opt.slotNames()).toEqual(["classifier.weight"]);
    expect(tf.memory().numTensors).toBe(base + 2);
    for (const g of grads.values()) g.dispose();
    opt.dispose();
    reg.dispose();
  });

  it("round-trips its moments and step counts: a restored optimizer continues identically", () => {
    const a = setup();
    const b = setup();
    const optA = new AdamW(a, { lr: 1e-2, weightDecay: 0.01 });
    const optB = new AdamW(b, { lr: 1e-2, weightDecay: 0.01 });
    const step = (reg: ParameterRegistry, opt: AdamW, s: number) => {
      const grads = new Map(reg.names().map((n) => [n, tf.tensor1d(G[n]![s]!)] as const));
      opt.step(grads, 1);
      for (const g of grads.values()) g.dispose();
    };
    step(a, optA, 0);
    step(a, optA, 1);
    const saved = optA.saveState();
    expect(saved.steps).toEqual({
      "encoder.weight": 2,
      "encoder.bias": 2,
      "classifier.weight": 2,
      "classifier.bias": 2,
    });
    for (const n of a.names()) b.get(n).variable.assign(a.get(n).variable);
    optB.loadState(saved);
    step(a, optA, 2);
    step(b, optB, 2);
    for (const n of a.names())
      expect(Array.from(b.get(n).variable.dataSync())).toEqual(Array.from(a.get(n).variable.dataSync()));
    expect(() => optB.loadState({ steps: { "encoder.weight": 1 }, moments: new Map() })).toThrow(
      /no moments for "encoder.weight"/,
    );
    optA.dispose();
    optB.dispose();
    a.dispose();
    b.dispose();
  });

  it("rejects bad hyperparameters naming the field", () => {
    const reg = setup();
    expect(() => new AdamW(reg, { lr: -1 })).toThrow(/optimizer.lr/);
    expect(() => new AdamW(reg, { lr: 1, betas: [0.9, 1] })).toThrow(/optimizer.betas\[1\]/);
    expect(() => new AdamW(reg, { lr: 1, groups: [{ name: "default", match: () => false }] })).toThrow(
      /duplicate group name "default"/,
    );
    reg.dispose();
  });
});
