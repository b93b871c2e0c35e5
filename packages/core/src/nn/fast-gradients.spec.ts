import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { afterAll, describe, expect, it } from "vitest";
import { fastGradientsInstalled, installFastGradients, uninstallFastGradients } from "./fast-gradients.js";
import { Rng } from "../random/rng.js";

interface Case {
  name: string;
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
  /** Batch-broadcast cases: the stock gradient cannot broadcast, so the reference broadcasts b explicitly. */
  bFull?: number[];
}

// Non-square dims everywhere, so a transposed operand can never pass as a plain one.
const CASES: Case[] = [
  { name: "2-D", a: [5, 3], b: [3, 4], transposeA: false, transposeB: false },
  { name: "2-D, B transposed", a: [5, 3], b: [4, 3], transposeA: false, transposeB: true },
  { name: "2-D, A transposed", a: [3, 5], b: [3, 4], transposeA: true, transposeB: false },
  { name: "2-D, both transposed", a: [3, 5], b: [4, 3], transposeA: true, transposeB: true },
  { name: "batched (attention scores QKᵀ)", a: [6, 7, 2], b: [6, 7, 2], transposeA: false, transposeB: true },
  { name: "batched (attention context PV)", a: [6, 7, 7], b: [6, 7, 2], transposeA: false, transposeB: false },
  { name: "batched, A transposed", a: [2, 3, 5], b: [2, 3, 4], transposeA: true, transposeB: false },
  { name: "batched, both transposed", a: [2, 3, 5], b: [2, 4, 3], transposeA: true, transposeB: true },
  {
    name: "rank-3 input · shared 2-D weight",
    a: [2, 5, 3],
    b: [3, 4],
    transposeA: false,
    transposeB: false,
    bFull: [2, 3, 4],
  },
  {
    name: "rank-3 input · shared 2-D weight transposed",
    a: [2, 5, 3],
    b: [4, 3],
    transposeA: false,
    transposeB: true,
    bFull: [2, 4, 3],
  },
  {
    name: "rank-4 with a broadcast batch dim",
    a: [2, 3, 5, 4],
    b: [1, 3, 4, 6],
    transposeA: false,
    transposeB: false,
    bFull: [2, 3, 4, 6],
  },
];

function gradsOf(c: Case, seed: number, broadcastB: boolean): { da: Float32Array; db: Float32Array } {
  const rng = new Rng(seed);
  const rand = (shape: number[]) =>
    tf.tensor(
      rng.uniformArray(
        shape.reduce((p, d) => p * d, 1),
        -1,
        1,
      ),
      shape,
    );
  return tf.tidy(() => {
    const a = rand(c.a);
    const b = rand(c.b);
    const probe = tf.matMul(a, b, c.transposeA, c.transposeB);
    const weights = rand(probe.shape); // a random linear functional of y, so dy is not all ones
    const f = (x: tf.Tensor, y: tf.Tensor) => {
      const yb = broadcastB && c.bFull ? tf.broadcastTo(y, c.bFull) : y;
      return tf.sum(tf.mul(tf.matMul(x, yb, c.transposeA, c.transposeB), weights));
    };
    const [da, db] = tf.grads(f)([a, b]);
    return { da: da.dataSync() as Float32Array, db: db.dataSync() as Float32Array };
  });
}

function maxRelDiff(x: Float32Array, ref: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return diff / scale;
}

afterAll(() => installFastGradients());

for (const backend of ["cpu", "wasm"]) {
  describe(`installFastGradients on ${backend}`, () => {
    it.each(CASES)("$name: same gradients as the stock BatchMatMul gradient", async (c) => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      uninstallFastGradients();
      expect(fastGradientsInstalled()).toBe(false);
      const stock = gradsOf(c, 11, true);
      installFastGradients();
      expect(fastGradientsInstalled()).toBe(true);
      const fast = gradsOf(c, 11, false);
      expect(fast.da.length).toBe(stock.da.length);
      expect(fast.db.length).toBe(stock.db.length);
      expect(maxRelDiff(fast.da, stock.da)).toBeLessThan(1e-6);
      expect(maxRelDiff(fast.db, stock.db)).toBeLessThan(1e-6);
      expect(tf.memory().numTensors).toBe(before);
    });

    it("runs no backward matmul with a transposed operand, and none for a frozen weight", async () => {
      await tf.setBackend(backend);
      installFastGradients();
      installFastGradients(); // idempotent
      const before = tf.memory().numTensors;
      const rng = new Rng(3);
      const x = tf.tensor(rng.uniformArray(2 * 6 * 5, -1, 1), [2, 6, 5]); // constant input, like frozen embeddings
      const w1 = tf.tidy(() => tf.variable(tf.tensor(rng.uniformArray(5 * 4, -1, 1), [5, 4])));
      const w2 = tf.tidy(() => tf.variable(tf.tensor(rng.uniformArray(4 * 3, -1, 1), [4, 3])));
      const k = tf.tensor(rng.uniformArray(2 * 6 * 4, -1, 1), [2, 6, 4]);
      // A linear layer, a batched scores matmul with a transposed operand, then a second linear.
      const loss = () =>
        tf.tidy(() => {
          const h = tf.matMul(tf.reshape(x, [-1, 5]), w1);
          const s = tf.matMul(tf.reshape(h, [2, 6, 4]), k, false, true); // [2, 6, 6]
          const ctx = tf.reshape(tf.matMul(s, k), [-1, 4]); // [12, 4]
          return tf.sum(tf.matMul(ctx, w2)) as tf.Scalar;
        });
      const matmuls = async (vars: tf.Variable[]) => {
        const info = await tf.profile(() => {
          const { value, grads } = tf.variableGrads(loss, vars);
          value.dispose();
          tf.dispose(Object.values(grads));
          return [];
        });
        return info.kernels.filter((kernel) => kernel.name === tf.BatchMatMul);
      };
      const both = await matmuls([w1, w2]);
      const onlyFirst = await matmuls([w1]);
      // The forward pass runs 4 matmul kernels (2 linears; scores and context batched).
      // Every backward one has no transposed operand: inner dims line up as given.
      for (const kernel of [...both.slice(4), ...onlyFirst.slice(4)]) {
        const [as, bs] = kernel.inputShapes as [number[], number[]];
        expect(as[as.length - 1]).toBe(bs[bs.length - 2]);
        expect(kernel.outputShapes[0]!.slice(-2)).toEqual([as[as.length - 2], bs[bs.length - 1]]);
        // Off wasm a batched one is split into 2-D matmuls here; on wasm the fast kernel splits it.
        if (backend !== "wasm") expect([as.length, bs.length]).toEqual([2, 2]);
      }
      // Backward: dW2 and d(ctx) (1 + 1); through ctx = s·k: ds (one per batch entry off
      // wasm, one batched kernel on wasm); through s = h·kᵀ: dh (same); dW1 (1). Never d(x)
      // or d(k) (constants), and no dW2 when W2 is frozen.
      const batched = backend === "wasm" ? 1 : 2;
      expect(both.length).toBe(4 + 1 + 1 + batched + batched + 1);
      expect(onlyFirst.length).toBe(both.length - 1);
      tf.dispose([x, w1, w2, k]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
