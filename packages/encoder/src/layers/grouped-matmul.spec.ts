import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "@aflora/core"; // registers TensorFlow.js gradients
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
});
