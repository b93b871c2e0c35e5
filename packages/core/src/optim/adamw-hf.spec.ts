import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { ParameterRegistry } from "../parameter-registry.js";
import { AdamW } from "./adamw.js";
import { paperParamGroups } from "./param-groups.js";

/** transformers' AdamW.step (4.31, correct_bias=True), written out in float64 for one scalar parameter. */
function hfAdamW(p0: number, grads: number[], lrs: number[], wd: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  let p = p0;
  let m = 0;
  let v = 0;
  const out: number[] = [];
  grads.forEach((g, i) => {
    const t = i + 1;
    const lr = lrs[i]!;
    m = m * b1 + (1 - b1) * g; // exp_avg.mul_(beta1).add_(grad, alpha=1.0 - beta1)
    v = v * b2 + (1 - b2) * g * g; // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1.0 - beta2)
    const denom = Math.sqrt(v) + eps; // exp_avg_sq.sqrt().add_(eps)
    const stepSize = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t); // lr * sqrt(bias_correction2) / bias_correction1
    p = p - stepSize * (m / denom); // p.addcdiv_(exp_avg, denom, value=-step_size)
    if (wd > 0) p = p + p * (-lr * wd); // p.add_(p, alpha=(-lr * weight_decay)), after the update
    out.push(p);
  });
  return out;
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
};

describe("AdamW variant adamw_hf (transformers' AdamW)", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("matches transformers' AdamW step by step, per parameter group", () => {
    const reg = new ParameterRegistry();
    reg.register("encoder.weight", tf.variable(tf.tensor1d([0.5, -1.0, 2.0])), { group: "base", trainable: true });
    reg.register("encoder.bias", tf.variable(tf.tensor1d([0.3])), { group: "base", trainable: true });
    reg.register("classifier.weight", tf.variable(tf.tensor1d([1.5, -0.25])), { group: "head", trainable: true });
    const before = tf.memory().numTensors;
    const opt = new AdamW(reg, {
      variant: "adamw_hf",
      lr: 2e-3,
      weightDecay: 0.1,
      groups: paperParamGroups({ headLr: 5e-2, weightDecay: 0.1 }),
    });
    expect(opt.variant).toBe("adamw_hf");
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
        const want = hfAdamW(
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
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    reg.dispose();
  });

  it("a hand-computed first step differs from torch's: eps on √v, decay after the update", () => {
    const run = (variant: "adamw_hf" | "adamw_torch") => {
      const reg = new ParameterRegistry();
      reg.register("w", tf.variable(tf.tensor1d([1, 1])), { group: "base", trainable: true });
      const opt = new AdamW(reg, { variant, lr: 0.1, weightDecay: 0.5, eps: 1e-3 });
      const g = tf.tensor1d([3, -0.01]);
      opt.step(new Map([["w", g]]), 1);
      const w = Array.from(reg.get("w").variable.dataSync());
      g.dispose();
      opt.dispose();
      reg.dispose();
      return w;
    };
    // t = 1: m = 0.1·g, √v = √0.001·|g|, step size 0.1·√0.001/0.1 = √0.001, so the step is
    // √0.001 · 0.1·g / (√0.001·|g| + 1e-3); then w ← w·(1 − 0.05).
    const hfStep = (g: number) => (Math.sqrt(0.001) * 0.1 * g) / (Math.sqrt(0.001) * Math.abs(g) + 1e-3);
    const hf = run("adamw_hf");
    expect(hf[0]).toBeCloseTo((1 - hfStep(3)) * 0.95, 6);
    expect(hf[1]).toBeCloseTo((1 - hfStep(-0.01)) * 0.95, 6);
    // torch: w·0.95 − 0.1·m̂/(√v̂ + eps) with m̂ = g, √v̂ = |g|.
    const torch = run("adamw_torch");
    expect(torch[1]).toBeCloseTo(0.95 + (0.1 * 0.01) / (0.01 + 1e-3), 6);
    expect(Math.abs(hf[1]! - torch[1]!)).toBeGreaterThan(1e-3);
  });

  it("rejects an unknown optim name", () => {
    const reg = new ParameterRegistry();
    expect(() => new AdamW(reg, { lr: 1, variant: "sgd" as never })).toThrow(
      /optim\): expected one of adamw_torch, adamw_hf, got "sgd"/,
    );
    reg.dispose();
  });
});
