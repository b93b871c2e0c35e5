import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdamW, FusedKernels, ParameterRegistry, type OptimName } from "@aflora/core";
import { NATIVE_BACKEND, registerNativeBackend } from "./native-backend.js";
import { ADAMW_STEP } from "./kernels/adamw.js";
import { requireNative } from "../test/require-native.js";

/** Deterministic values in [lo, hi) (a small LCG), so failures reproduce. */
function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (s / 2 ** 32) * (hi - lo);
  }
  return out;
}

/** Gradients of every magnitude: ordinary, zeros, subnormal, tiny, and huge (g² overflows to ∞). */
function gradient(n: number, seed: number): Float32Array {
  const g = values(n, seed);
  const scale = [1, 0, 1e-41, 1e-20, 1e20, 3e38, 1e-3, 50];
  const pick = values(n, seed + 7, 0, scale.length);
  return g.map((v, i) => v * scale[Math.floor(pick[i]!)]!);
}

/** Above the elementwise threading threshold for 4 units per element, and not a multiple of the split. */
const THREADED = (1 << 16) + 3;
const SHAPES: Record<string, number[]> = {
  "layer.lora_A": [8, 33],
  "layer.lora_B": [33, 8],
  "layer.scalar": [],
  "layer.bias": [7],
  "layer.empty": [0, 4],
  "layer.large": [THREADED],
};

interface Run {
  params: Record<string, Uint32Array>;
  moments: Record<string, { expAvg: Uint32Array; expAvgSq: Uint32Array }>;
}

const bits = (t: tf.Tensor) => new Uint32Array((t.dataSync() as Float32Array).slice().buffer);

/**
 * AdamW over SHAPES for `lrFactors.length` steps on fixed random data; the bit patterns of the
 * weights and moments at the end. Every tensor it makes is disposed.
 */
function train(variant: OptimName, weightDecay: number, lr: number, lrFactors: number[]): Run {
  const reg = new ParameterRegistry();
  let seed = 1;
  for (const [name, shape] of Object.entries(SHAPES)) {
    const n = shape.reduce((p, d) => p * d, 1);
    reg.register(name, tf.variable(tf.tensor(values(n, seed++, -2, 2), shape)), { group: "base", trainable: true });
  }
  const opt = new AdamW(reg, { variant, lr, weightDecay });
  lrFactors.forEach((factor, step) => {
    const grads = new Map<string, tf.Tensor>();
    for (const [name, shape] of Object.entries(SHAPES)) {
      const n = shape.reduce((p, d) => p * d, 1);
      grads.set(name, tf.tensor(gradient(n, 100 * step + seed++), shape));
    }
    opt.step(grads, factor);
    tf.dispose([...grads.values()]);
  });
  const params: Run["params"] = {};
  const moments: Run["moments"] = {};
  for (const [name, m] of opt.saveState().moments) {
    params[name] = bits(reg.get(name).variable);
    moments[name] = { expAvg: bits(m.expAvg), expAvgSq: bits(m.expAvgSq) };
  }
  opt.dispose();
  for (const name of Object.keys(SHAPES)) reg.get(name).variable.dispose();
  return { params, moments };
}

/** `f` with the fused kernel unregistered from "native": AdamW's ops, on the same backend. */
function withoutKernel<T>(f: () => T): T {
  const config = tf.getKernel(ADAMW_STEP, NATIVE_BACKEND)!;
  tf.unregisterKernel(ADAMW_STEP, NATIVE_BACKEND);
  try {
    return f();
  } finally {
    tf.registerKernel(config);
  }
}

describe(`${ADAMW_STEP} (AdamW's update in one pass)`, () => {
  beforeAll(async () => {
    requireNative();
    registerNativeBackend({ threads: 1 });
    await tf.setBackend(NATIVE_BACKEND);
  });
  afterAll(() => registerNativeBackend({ threads: 1 }));

  it("is core's FusedKernels.AdamWStep, registered on native", () => {
    expect(FusedKernels.AdamWStep).toBe(ADAMW_STEP);
    expect(tf.getKernel(ADAMW_STEP, NATIVE_BACKEND)).toBeDefined();
  });

  const cases: [OptimName, number, number, number[]][] = [
    ["adamw_torch", 0.01, 1e-3, [1, 0.5, 0, 1, 0.25]],
    ["adamw_torch", 0, 2e-4, [1, 1, 0.3, 0.7]],
    ["adamw_torch", 0.1, 0, [1, 1, 1]],
    ["adamw_hf", 0.01, 1e-3, [1, 0.5, 0, 1, 0.25]],
    ["adamw_hf", 0, 2e-4, [1, 1, 0.3, 0.7]],
    ["adamw_hf", 0.1, 0, [1, 1, 1]],
  ];
  it.each(cases)("%s, weight decay %s, lr %s × %j: the ops' exact bits, weights and moments", (v, wd, lr, factors) => {
    const fused = train(v, wd, lr, factors);
    const ops = withoutKernel(() => train(v, wd, lr, factors));
    expect(Object.keys(fused.params).sort()).toEqual(Object.keys(SHAPES).sort());
    for (const name of Object.keys(SHAPES)) {
      expect(fused.params[name], `${name} weights`).toEqual(ops.params[name]);
      expect(fused.moments[name]!.expAvg, `${name} exp_avg`).toEqual(ops.moments[name]!.expAvg);
      expect(fused.moments[name]!.expAvgSq, `${name} exp_avg_sq`).toEqual(ops.moments[name]!.expAvgSq);
    }
    // The data reached the corners the test means to cover: ∞ second moments, untouched and moved weights.
    const vLarge = new Float32Array(fused.moments["layer.large"]!.expAvgSq.buffer);
    expect(vLarge.some((x) => x === Infinity)).toBe(true);
    expect(vLarge.some((x) => x > 0 && x < 1e-30)).toBe(true);
  });

  it("runs the kernel, not the ops, on native", async () => {
    const info = await tf.profile(() => {
      train("adamw_torch", 0.01, 1e-3, [1]);
    });
    const names = new Set(info.kernelNames);
    expect(names.has(ADAMW_STEP)).toBe(true);
    expect(names.has("Sqrt")).toBe(false);
  });

  it("gives the same bits on 1 and 2 threads", () => {
    const one = train("adamw_hf", 0.01, 1e-3, [1, 1]);
    registerNativeBackend({ threads: 2 });
    try {
      const two = train("adamw_hf", 0.01, 1e-3, [1, 1]);
      expect(two).toEqual(one);
    } finally {
      registerNativeBackend({ threads: 1 });
    }
  });

  it("leaves no tensors behind beyond the slots", () => {
    const reg = new ParameterRegistry();
    reg.register("w", tf.variable(tf.tensor(values(1000, 3), [10, 100])), { group: "base", trainable: true });
    const opt = new AdamW(reg, { lr: 1e-3 });
    const g = tf.tensor(values(1000, 4), [10, 100]);
    const before = tf.memory().numTensors;
    opt.step(new Map([["w", g]]), 1);
    expect(tf.memory().numTensors).toBe(before + 2);
    opt.step(new Map([["w", g]]), 1);
    expect(tf.memory().numTensors).toBe(before + 2);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([g, reg.get("w").variable]);
  });

  it("rejects inputs of different shapes or dtypes", () => {
    const attrs = {
      variant: "adamw_torch",
      beta1: 0.9,
      oneMinusBeta1: 0.1,
      beta2: 0.999,
      oneMinusBeta2: 0.001,
      eps: 1e-8,
      stepSize: 1e-3,
      bc2Sqrt: 1,
      decay: false,
      decayFactor: 1,
    };
    tf.tidy(() => {
      const p = tf.zeros([2, 3]);
      expect(() =>
        tf.engine().runKernel(ADAMW_STEP, { param: p, grad: tf.zeros([3, 2]), expAvg: p, expAvgSq: p }, attrs),
      ).toThrow(/grad \[3,2\] and param \[2,3\] differ in shape/);
      expect(() =>
        tf.engine().runKernel(ADAMW_STEP, { param: p, grad: tf.zeros([2, 3], "int32"), expAvg: p, expAvgSq: p }, attrs),
      ).toThrow(/grad must be float32/);
    });
  });
});
