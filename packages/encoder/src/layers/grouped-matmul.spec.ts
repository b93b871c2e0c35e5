import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { leanGradients } from "@aflora/core"; // also registers TensorFlow.js gradients
import { describe, expect, it } from "vitest";
import { batchMatMul } from "./batch-matmul.js";
import { gatherRows } from "./flat-gather.js";
import { groupedMatMul } from "./grouped-matmul.js";

function close(a: tf.Tensor, b: tf.Tensor, tol = 1e-5): void {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(a.shape).toEqual(b.shape);
  for (let i = 0; i < y.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThan(tol * (1 + Math.abs(y[i]!)));
}

describe.each(["cpu", "wasm"])("grouped products and row lookups on %s", (backend) => {
  it("groupedMatMul equals a batched matmul, values and gradients", async () => {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const a = tf.randomNormal([3, 5, 4], 0, 1, "float32", 1);
      const b = tf.randomNormal([3, 4, 6], 0, 1, "float32", 2);
      const dy = tf.randomNormal([3, 5, 6], 0, 1, "float32", 3);
      const grouped = (x: tf.Tensor, y: tf.Tensor) =>
        tf.reshape(
          groupedMatMul(tf.reshape(x, [15, 4]) as tf.Tensor2D, tf.reshape(y, [12, 6]) as tf.Tensor2D, 3),
          [3, 5, 6],
        );
      close(grouped(a, b), tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D));
      const ref = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D), dy)),
      )([a, b]);
      const got = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(grouped(x, y), dy)))([a, b]);
      close(got[0]!, ref[0]!);
      close(got[1]!, ref[1]!);
      close(batchMatMul(a as tf.Tensor3D, b as tf.Tensor3D), tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D));
    });
    tf.tidy(() => {
      expect(() => groupedMatMul(tf.zeros([5, 4]) as tf.Tensor2D, tf.zeros([8, 2]) as tf.Tensor2D, 2)).toThrow(
        /do not split into 2 groups/,
      );
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("gatherRows picks rows and sends gradients back with scatterND, none to the padding row", async () => {
    await tf.setBackend(backend);
    tf.tidy(() => {
      const table = tf.tensor2d([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      const ids = tf.tensor2d(
        [
          [2, 0],
          [0, 1],
        ],
        [2, 2],
        "int32",
      );
      expect(gatherRows(table, ids).arraySync()).toEqual([
        [
          [5, 6],
          [1, 2],
        ],
        [
          [1, 2],
          [3, 4],
        ],
      ]);
      const g = tf.grad((t: tf.Tensor) =>
        tf.sum(
          tf.mul(
            gatherRows(t, ids, 1),
            tf.tensor3d([
              [
                [1, 1],
                [2, 2],
              ],
              [
                [3, 3],
                [4, 4],
              ],
            ]),
          ),
        ),
      )(table);
      // row 0 twice (2 + 3), row 1 is the padding row (no gradient), row 2 once (1)
      expect(g.arraySync()).toEqual([
        [5, 5],
        [0, 0],
        [1, 1],
      ]);
    });
  });

  it("groupedMatMul and gatherRows take only the gradients asked for, and keep no intermediate", async () => {
    await tf.setBackend(backend);
    const a = tf.randomNormal([6, 4], 0, 1, "float32", 4);
    const b = tf.randomNormal([8, 5], 0, 1, "float32", 5);
    const table = tf.randomNormal([7, 3], 0, 1, "float32", 6);
    const ids = tf.tensor1d([6, 0, 2, 2], "int32");
    const w = tf.randomNormal([4, 3], 0, 1, "float32", 7);
    const before = tf.memory().numTensors;
    // The kernels leanGradients runs beyond those of the forward.
    const backwardKernels = async (f: () => tf.Tensor, xs: tf.Tensor[]) => {
      // tf.profile reuses one record object: read each before the next profile.
      const names = (await tf.profile(() => tf.dispose(Object.values(leanGradients(f, xs)).flat()))).kernels.map(
        (k) => k.name,
      );
      const forward = (await tf.profile(() => tf.dispose(tf.tidy(f)))).kernels.map((k) => k.name);
      for (const k of forward) {
        const i = names.indexOf(k);
        if (i >= 0) names.splice(i, 1);
      }
      return names;
    };
    const product = () => tf.sum(groupedMatMul(a as tf.Tensor2D, b as tf.Tensor2D, 2));
    const count = (names: string[], kernel: string) => names.filter((n) => n === kernel).length;
    expect(count(await backwardKernels(product, [a]), "BatchMatMul")).toBe(2);
    expect(count(await backwardKernels(product, [a, b]), "BatchMatMul")).toBe(4);
    // The table frozen (gradient asked for w only): no scatter.
    const lookup = () => tf.sum(tf.mul(gatherRows(table, ids), tf.sum(w)));
    expect(count(await backwardKernels(lookup, [w]), "ScatterNd")).toBe(0);
    expect(count(await backwardKernels(lookup, [table]), "ScatterNd")).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, table, ids, w]);
  });
});
