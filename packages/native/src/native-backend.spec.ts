import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installFastGradients } from "@aflora/core";
import { registerNativeBackend } from "./native-backend.js";
import { requireNative } from "../test/require-native.js";

/** Deterministic values in [-1, 1) (a small LCG), so failures reproduce. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

async function on<T>(backend: string, f: () => T): Promise<T> {
  await tf.setBackend(backend);
  return f();
}

/** Runs f on cpu (the float32 reference: plain loops) and on native, from the same host arrays. */
async function compare(f: () => tf.Tensor, tol: number, reference = f): Promise<void> {
  const want = await on("cpu", () => tf.tidy(() => reference().arraySync()));
  const got = await on("native", () => tf.tidy(() => f().arraySync()));
  const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);
  const w = flat(want);
  const g = flat(got);
  expect(g.length).toBe(w.length);
  let worst = 0;
  for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(g[i]! - w[i]!) / (1 + Math.abs(w[i]!)));
  expect(worst).toBeLessThanOrEqual(tol);
}

describe("the native backend", () => {
  beforeAll(async () => {
    requireNative();
    registerNativeBackend({ threads: 1 });
    installFastGradients();
    expect(await tf.setBackend("native")).toBe(true);
  });
  afterAll(async () => {
    await tf.setBackend("native");
  });

  const shapes: [string, number[], number[], boolean, boolean][] = [
    ["2-D", [37, 19], [19, 23], false, false],
    ["Aᵀ", [19, 37], [19, 23], true, false],
    ["Bᵀ", [37, 19], [23, 19], false, true],
    ["AᵀBᵀ", [19, 37], [23, 19], true, true],
    ["batched", [3, 5, 7, 11], [3, 5, 11, 4], false, false],
    ["batched AᵀBᵀ", [3, 5, 11, 7], [3, 5, 4, 11], true, true],
    ["shared right operand (folded)", [4, 9, 16], [16, 6], false, false],
    ["shared right operand, Bᵀ", [4, 9, 16], [6, 16], false, true],
    ["shared left operand", [9, 16], [4, 16, 6], false, false],
    ["broadcast batch [1]·[5]", [1, 8, 3], [5, 3, 8], false, false],
  ];
  for (const [name, sa, sb, ta, tb] of shapes) {
    it(`matMul ${name} equals the cpu backend's`, async () => {
      const av = values(
        sa.reduce((p, d) => p * d, 1),
        1,
      );
      const bv = values(
        sb.reduce((p, d) => p * d, 1),
        2,
      );
      await compare(() => tf.matMul(tf.tensor(av, sa), tf.tensor(bv, sb), ta, tb), 1e-5);
    });
  }

  it("matMul with a general broadcast [2,1]·[1,3] equals the explicitly broadcast product", async () => {
    // (tfjs's own cpu and wasm kernels reject this broadcast; the reference broadcasts first)
    const av = values(2 * 4 * 5, 1);
    const bv = values(3 * 5 * 2, 2);
    const a = () => tf.tensor(av, [2, 1, 4, 5]);
    const b = () => tf.tensor(bv, [1, 3, 5, 2]);
    await compare(
      () => tf.matMul(a(), b()),
      1e-5,
      () => tf.matMul(tf.broadcastTo(a(), [2, 3, 4, 5]), tf.broadcastTo(b(), [2, 3, 5, 2])),
    );
  });

  it("gradients of a transposed batched matmul equal the cpu backend's", async () => {
    const av = values(2 * 6 * 5, 3);
    const bv = values(2 * 4 * 6, 4);
    const f = () => {
      const a = tf.tensor(av, [2, 6, 5]);
      const b = tf.tensor(bv, [2, 4, 6]);
      const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y, true, true))))([a, b]);
      return tf.concat([tf.reshape(ga!, [-1]), tf.reshape(gb!, [-1])]);
    };
    await compare(f, 1e-5);
  });

  for (const [ta, tb] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    it(`gradients of a batched input times a shared 2-D weight (transposeA ${ta}, transposeB ${tb}) equal the cpu backend's`, async () => {
      const av = values(3 * 7 * 5, 21);
      const bv = values(5 * 4, 22);
      const f = () => {
        const a = tf.tensor(av, ta ? [3, 5, 7] : [3, 7, 5]);
        const b = tf.tensor(bv, tb ? [4, 5] : [5, 4]);
        const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.sin(tf.matMul(x, y, ta, tb))))([a, b]);
        return tf.concat([tf.reshape(ga!, [-1]), tf.reshape(gb!, [-1])]);
      };
      await compare(f, 1e-5);
    });
  }

  it("fused matMul with bias and relu equals the cpu backend's", async () => {
    const av = values(12 * 7, 5);
    const bv = values(7 * 9, 6);
    const cv = values(9, 7);
    const f = () =>
      tf.fused.matMul({
        a: tf.tensor(av, [12, 7]),
        b: tf.tensor(bv, [9, 7]),
        transposeB: true,
        bias: tf.tensor(cv, [9]),
        activation: "relu",
      });
    await compare(f, 1e-5);
  });

  it("transposes and leading-axis sums equal the cpu backend's", async () => {
    const xv = values(3 * 45 * 70, 8);
    await compare(() => tf.transpose(tf.tensor(xv, [3, 45, 70]), [0, 2, 1]), 0);
    await compare(() => tf.transpose(tf.tensor(xv, [3, 45, 70]), [1, 0, 2]), 0);
    await compare(() => tf.sum(tf.tensor(xv, [3, 45, 70]), [0, 1]), 1e-5);
  });

  it("elementwise exp, erf and the binary ops equal the cpu backend's (threaded sizes, broadcasts, fallbacks)", async () => {
    registerNativeBackend({ threads: 2 });
    const big = 3 * (1 << 17) + 5; // above the threading threshold, not a multiple of the split
    const xv = values(big, 13);
    const x = () => tf.tensor1d(xv);
    await compare(() => tf.exp(x()), 1e-6);
    await compare(() => tf.erf(x()), 1e-6);
    const av = values(6 * 40 * 32, 14);
    const rowv = values(32, 15);
    const colv = values(6 * 40, 16);
    const a = () => tf.tensor3d(av, [6, 40, 32]);
    for (const op of [tf.add, tf.sub, tf.mul, tf.div]) {
      await compare(() => op(a(), tf.tensor1d(rowv)), 1e-6); // trailing block
      await compare(() => op(tf.tensor1d(rowv), a()), 1e-6);
      await compare(() => op(a(), tf.scalar(0.75)), 1e-6); // scalar
      await compare(() => op(a(), tf.tensor3d(colv, [6, 40, 1])), 1e-6); // column broadcast: wasm kernel
      await compare(() => op(a(), a()), 1e-6);
    }
    registerNativeBackend({ threads: 1 });
  });

  it("shares one heap with the wasm backend: a tensor made on wasm is read on native without a copy", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor2d(values(6, 9), [2, 3]);
    const before = tf.memory().numTensors;
    await tf.setBackend("native");
    const y = tf.matMul(x, x, false, true);
    expect(y.shape).toEqual([2, 2]);
    const xv = x.dataSync();
    expect(y.dataSync()[0]).toBeCloseTo(xv[0]! ** 2 + xv[1]! ** 2 + xv[2]! ** 2, 5);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before - 1);
  });

  it("gives bit-identical products on repeated calls with 2 BLAS threads (a large, threaded sgemm)", async () => {
    registerNativeBackend({ threads: 2 });
    const av = values(384 * 512, 11);
    const bv = values(512 * 448, 12);
    const run = () =>
      tf.tidy(() => tf.matMul(tf.tensor2d(av, [384, 512]), tf.tensor2d(bv, [448, 512]), false, true).dataSync());
    const first = run();
    for (let i = 0; i < 3; i++) expect(Buffer.compare(Buffer.from(run().buffer), Buffer.from(first.buffer))).toBe(0);
    registerNativeBackend({ threads: 1 });
  });

  it("casts to the same dtype share data; other casts convert", async () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1.5, -2.25, 3]);
    const same = tf.cast(x, "float32");
    expect(Array.from(same.dataSync())).toEqual([1.5, -2.25, 3]);
    x.dispose();
    expect(Array.from(same.dataSync())).toEqual([1.5, -2.25, 3]); // still alive: reference-counted
    const ints = tf.cast(same, "int32");
    expect(Array.from(ints.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([same, ints]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("leaks no tensors", async () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grad((x: tf.Tensor) => tf.sum(tf.matMul(x, x, true, false)))(tf.ones([4, 3]));
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
