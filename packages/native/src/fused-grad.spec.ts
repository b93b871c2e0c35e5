import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FusedKernels, optionalKernel } from "@aflora/core";
import { registerNativeBackend } from "./native-backend.js";
import { GELU_GRAD, LAYER_NORM_GRAD } from "./kernels/fused-grad.js";
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

/** erf in float64: (2/√π)·e^(−x²)·Σ x·(2x²)ⁿ/(2n+1)!!, all terms positive (no cancellation). */
function erf64(x: number): number {
  const a = Math.abs(x);
  if (a > 6) return Math.sign(x);
  let term = a;
  let sum = a;
  for (let n = 1; term > 1e-17 * sum; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
}

/** The fallback's formula in float64: dy ⊙ (Φ(x) + x·φ(x)). */
function geluGrad64(dy: Float32Array, x: Float32Array): Float64Array {
  return Float64Array.from(x, (v, i) => {
    const cdf = 0.5 * (1 + erf64(v / Math.SQRT2));
    const pdf = Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
    return dy[i]! * (cdf + v * pdf);
  });
}

/** The fallback's formula in float64, row by row: rstd ⊙ (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)), g = dy ⊙ w. */
function layerNormGrad64(dy: Float32Array, xhat: Float32Array, rstd: Float32Array, w: Float32Array): Float64Array {
  const h = w.length;
  const out = new Float64Array(dy.length);
  for (let r = 0; r < rstd.length; r++) {
    let sg = 0;
    let sgx = 0;
    for (let j = 0; j < h; j++) {
      const g = dy[r * h + j]! * w[j]!;
      sg += g;
      sgx += g * xhat[r * h + j]!;
    }
    for (let j = 0; j < h; j++) {
      const g = dy[r * h + j]! * w[j]!;
      out[r * h + j] = rstd[r]! * (g - sg / h - xhat[r * h + j]! * (sgx / h));
    }
  }
  return out;
}

/** The ops a backend without the kernels runs (the encoder's unfused gradients). */
const geluFallback = (dy: tf.Tensor, x: tf.Tensor) => () =>
  tf.mul(
    dy,
    tf.add(
      tf.mul(tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))), 0.5),
      tf.mul(x, tf.mul(tf.exp(tf.mul(tf.square(x), -0.5)), 1 / Math.sqrt(2 * Math.PI))),
    ),
  );
const layerNormFallback = (dy: tf.Tensor, xhat: tf.Tensor, rstd: tf.Tensor, weight: tf.Tensor) => () => {
  const axis = dy.rank - 1;
  const g = tf.mul(dy, weight);
  const meanG = tf.mean(g, axis, true);
  const meanGx = tf.mean(tf.mul(g, xhat), axis, true);
  return tf.mul(tf.sub(tf.sub(g, meanG), tf.mul(xhat, meanGx)), rstd);
};

/** max |got − want| over max |want|. */
function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return err / scale;
}

function geluCase(shape: number[], seed: number) {
  const n = shape.reduce((p, d) => p * d, 1);
  return { shape, dy: values(n, seed), x: values(n, seed + 1, -6, 6) };
}

function layerNormCase(n: number, h: number, seed: number, rank3 = false) {
  return {
    shape: rank3 ? [n, 1, h] : [n, h],
    rstdShape: rank3 ? [n, 1, 1] : [n, 1],
    dy: values(n * h, seed),
    xhat: values(n * h, seed + 1, -2.5, 2.5),
    rstd: values(n, seed + 2, 0.2, 5),
    weight: values(h, seed + 3, 0.5, 1.5),
  };
}

type LayerNormCase = ReturnType<typeof layerNormCase>;

/** The result's values; the tensor is disposed. */
function read(t: tf.Tensor): Float32Array {
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}

function runGelu(c: ReturnType<typeof geluCase>): Float32Array {
  return read(
    tf.tidy(() => {
      const dy = tf.tensor(c.dy, c.shape);
      const x = tf.tensor(c.x, c.shape);
      return tf.engine().runKernel(GELU_GRAD, { dy, x }) as tf.Tensor;
    }),
  );
}

function runLayerNorm(c: LayerNormCase): Float32Array {
  return read(
    tf.tidy(() => {
      const inputs = {
        dy: tf.tensor(c.dy, c.shape),
        xhat: tf.tensor(c.xhat, c.shape),
        rstd: tf.tensor(c.rstd, c.rstdShape),
        weight: tf.tensor1d(c.weight),
      };
      return tf.engine().runKernel(LAYER_NORM_GRAD, inputs) as tf.Tensor;
    }),
  );
}

/** Above the elementwise threading threshold (2^17 elements) and not a multiple of the split. */
const THREADED = 3 * (1 << 17) + 5;

describe("the fused backward kernels on the native backend", () => {
  beforeAll(async () => {
    requireNative();
    registerNativeBackend({ threads: 1 });
    expect(await tf.setBackend("native")).toBe(true);
  });
  afterAll(async () => {
    registerNativeBackend({ threads: 1 });
    await tf.setBackend("native");
  });

  it("are registered under @aflora/core's FusedKernels names, on native only", () => {
    expect(GELU_GRAD).toBe(FusedKernels.GeluGrad);
    expect(LAYER_NORM_GRAD).toBe(FusedKernels.LayerNormGrad);
    for (const name of [GELU_GRAD, LAYER_NORM_GRAD]) {
      expect(tf.getKernel(name, "native")).toBeDefined();
      expect(tf.getKernel(name, "wasm")).toBeUndefined();
    }
  });

  it("the float64 erf used as reference matches known values to 1e-14", () => {
    expect(erf64(0.5)).toBeCloseTo(0.5204998778130465, 14);
    expect(erf64(1)).toBeCloseTo(0.8427007929497149, 14);
    expect(erf64(-2.5)).toBeCloseTo(-0.999593047982555, 14);
    expect(erf64(4)).toBeCloseTo(0.9999999845827421, 14);
  });

  for (const shape of [[7, 13], [3, 5, 11], [1], [THREADED]]) {
    it(`GELU gradient [${shape}] equals the fallback formula in float64 (≤ 1e-6 of max |dx|)`, () => {
      registerNativeBackend({ threads: 2 });
      const c = geluCase(shape, 21);
      expect(relError(runGelu(c), geluGrad64(c.dy, c.x))).toBeLessThanOrEqual(1e-6);
      registerNativeBackend({ threads: 1 });
    });
  }

  it("GELU gradient over a dense sweep of [−20, 20] and at the extremes equals the float64 formula; NaN and ±∞ give NaN as the ops do", () => {
    const sweep = Float32Array.from({ length: 400_001 }, (_, i) => -20 + i * 1e-4);
    const extremes = Float32Array.from([0, -0, 1e-30, -1e-30, 13, -13, 30, -30, 1e10, -1e10, 3e38, -3e38]);
    const x = Float32Array.from([...sweep, ...extremes]);
    const got = runGelu({ shape: [x.length], dy: new Float32Array(x.length).fill(1), x });
    expect(relError(got, geluGrad64(new Float32Array(x.length).fill(1), x))).toBeLessThanOrEqual(1e-6);
    const special = Float32Array.from([NaN, Infinity, -Infinity]);
    const fallback = tf.tidy(() => {
      const t = tf.tensor1d(special);
      return geluFallback(tf.onesLike(t), t)().dataSync();
    });
    const kernel = runGelu({ shape: [3], dy: new Float32Array(3).fill(1), x: special });
    expect(Array.from(kernel)).toEqual([NaN, NaN, NaN]);
    expect(Array.from(fallback)).toEqual([NaN, NaN, NaN]);
  });

  for (const [n, h, rank3] of [
    [7, 13, false],
    [1, 1, false],
    [5, 768, true],
    [1031, 257, false], // 265k elements: split across 2 threads
    [2048, 768, false],
  ] as const) {
    it(`LayerNorm gradient N=${n}, H=${h}${rank3 ? " (rank 3)" : ""} equals the fallback formula in float64 (≤ 1e-6 of max |dx|)`, () => {
      registerNativeBackend({ threads: 2 });
      const c = layerNormCase(n, h, 31, rank3);
      expect(relError(runLayerNorm(c), layerNormGrad64(c.dy, c.xhat, c.rstd, c.weight))).toBeLessThanOrEqual(1e-6);
      registerNativeBackend({ threads: 1 });
    });
  }

  it("give bit-identical results with 1 and 2 threads", () => {
    const gelu = geluCase([THREADED], 41);
    const ln = layerNormCase(1031, 257, 43);
    registerNativeBackend({ threads: 1 });
    const gelu1 = runGelu(gelu);
    const ln1 = runLayerNorm(ln);
    registerNativeBackend({ threads: 2 });
    const gelu2 = runGelu(gelu);
    const ln2 = runLayerNorm(ln);
    registerNativeBackend({ threads: 1 });
    expect(Buffer.compare(Buffer.from(gelu1.buffer), Buffer.from(gelu2.buffer))).toBe(0);
    expect(Buffer.compare(Buffer.from(ln1.buffer), Buffer.from(ln2.buffer))).toBe(0);
  });

  it("optionalKernel runs the kernel on native and the ops fallback on wasm; the two agree to float32 noise", async () => {
    const g = geluCase([7, 13], 51);
    const l = layerNormCase(7, 13, 53);
    const run = () => {
      let fallbacks = 0;
      const counted = (f: () => tf.Tensor) => () => {
        fallbacks++;
        return f();
      };
      const [gelu, ln] = tf.tidy(() => {
        const dy = tf.tensor(g.dy, g.shape);
        const x = tf.tensor(g.x, g.shape);
        const inputs = {
          dy: tf.tensor(l.dy, l.shape),
          xhat: tf.tensor(l.xhat, l.shape),
          rstd: tf.tensor(l.rstd, l.rstdShape),
          weight: tf.tensor1d(l.weight),
        };
        return [
          optionalKernel(FusedKernels.GeluGrad, { dy, x }, counted(geluFallback(dy, x))).dataSync(),
          optionalKernel(
            FusedKernels.LayerNormGrad,
            inputs,
            counted(layerNormFallback(inputs.dy, inputs.xhat, inputs.rstd, inputs.weight)),
          ).dataSync(),
        ];
      });
      return { gelu: gelu!, ln: ln!, fallbacks };
    };
    await tf.setBackend("native");
    const native = run();
    await tf.setBackend("wasm");
    const wasm = run();
    await tf.setBackend("native");
    expect(native.fallbacks).toBe(0);
    expect(wasm.fallbacks).toBe(2);
    expect(relError(native.gelu, wasm.gelu)).toBeLessThanOrEqual(1e-6);
    expect(relError(native.ln, wasm.ln)).toBeLessThanOrEqual(1e-6);
  });

  it("reject mismatched shapes with one line naming them", () => {
    tf.tidy(() => {
      const a = tf.zeros([4, 3]);
      expect(() => tf.engine().runKernel(GELU_GRAD, { dy: a, x: tf.zeros([3, 4]) })).toThrow(/differ in shape/);
      expect(() =>
        tf.engine().runKernel(LAYER_NORM_GRAD, { dy: a, xhat: a, rstd: tf.zeros([4, 1]), weight: tf.zeros([4]) }),
      ).toThrow(/weight \[4\]/);
    });
  });

  it("leak no tensors", () => {
    const before = tf.memory().numTensors;
    runGelu(geluCase([7, 13], 61));
    runLayerNorm(layerNormCase(7, 13, 63));
    tf.tidy(() => {
      const dy = tf.ones([3, 5]);
      optionalKernel(FusedKernels.GeluGrad, { dy, x: dy }, geluFallback(dy, dy));
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
