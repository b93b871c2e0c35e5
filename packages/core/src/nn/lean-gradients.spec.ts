import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "./tfjs-gradients.js";
import { beforeAll, describe, expect, it } from "vitest";
import { leanGradients } from "./lean-gradients.js";
import { addLean, fusedOp } from "./fused-op.js";
import { peakTensorBytes } from "../peak-tensor-bytes.js";
import { Rng } from "../random/rng.js";

const rand = (rng: Rng, shape: number[]) =>
  tf.tensor(
    rng.uniformArray(
      shape.reduce((p, d) => p * d, 1),
      -1,
      1,
    ),
    shape,
  );

/** A small two-layer MLP with a shared input, a broadcast bias, a reshape and a reused tensor. */
function mlp(x: tf.Tensor, w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor): tf.Scalar {
  const h = tf.tanh(tf.add(tf.matMul(x as tf.Tensor2D, w1 as tf.Tensor2D), b1));
  const r = tf.reshape(tf.mul(h, h), [-1, 4]);
  return tf.sum(tf.matMul(tf.reshape(r, [h.shape[0]!, h.shape[1]!]) as tf.Tensor2D, w2 as tf.Tensor2D));
}

describe("leanGradients", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("returns tfjs's own gradients bit for bit, and undefined where y does not depend on x", () => {
    const rng = new Rng(7);
    const x = rand(rng, [5, 6]);
    const w1 = tf.variable(rand(rng, [6, 8]));
    const b1 = tf.variable(rand(rng, [8]));
    const w2 = tf.variable(rand(rng, [8, 3]));
    const unused = tf.variable(rand(rng, [2]));
    const xs = [x, w1, b1, w2, unused];
    const before = tf.memory().numTensors;
    const stock = tf.engine().gradients(() => mlp(x, w1, b1, w2), xs, undefined, true);
    const lean = leanGradients(() => mlp(x, w1, b1, w2), xs);
    expect(lean.value.dataSync()).toEqual(stock.value.dataSync());
    for (let i = 0; i < 4; i++) expect(lean.grads[i]!.dataSync()).toEqual(stock.grads[i]!.dataSync());
    expect(lean.grads[4]).toBeUndefined();
    tf.dispose([lean.value, stock.value, ...lean.grads.filter((g) => g), ...stock.grads.filter((g) => g)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w1, b1, w2, unused]);
  });

  it("takes a dy and leaves it to the caller", () => {
    const rng = new Rng(3);
    const x = rand(rng, [4, 3]);
    const w = tf.variable(rand(rng, [3, 2]));
    const dy = rand(rng, [4, 2]);
    const f = () => tf.tanh(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D));
    const stock = tf.engine().gradients(f, [x, w], dy, true);
    const lean = leanGradients(f, [x, w], dy);
    expect(lean.grads[0]!.dataSync()).toEqual(stock.grads[0]!.dataSync());
    expect(lean.grads[1]!.dataSync()).toEqual(stock.grads[1]!.dataSync());
    expect(dy.isDisposed).toBe(false);
    tf.dispose([x, w, dy, stock.value, lean.value, ...stock.grads.filter((g) => g), ...lean.grads.filter((g) => g)]);
  });

  it("holds less memory at its peak than tfjs's backward on a deep chain", () => {
    const rng = new Rng(11);
    const x = rand(rng, [64, 64]);
    const ws = Array.from({ length: 8 }, () => tf.variable(tf.mul(rand(rng, [64, 64]), 0.1)));
    const f = () => {
      let h: tf.Tensor = x;
      // Each layer in its own tidy, as model layers are: the forward keeps only what the tape saved.
      for (const w of ws) h = tf.tidy(() => tf.add(tf.tanh(tf.matMul(h as tf.Tensor2D, w as tf.Tensor2D)), h));
      return tf.sum(h);
    };
    const peakOf = (run: () => { value: tf.Tensor; grads: (tf.Tensor | undefined | null)[] }) =>
      peakTensorBytes(() => {
        const r = run();
        tf.dispose([r.value, ...r.grads.filter((g): g is tf.Tensor => !!g)]);
      });
    const stock = peakOf(() => tf.engine().gradients(f, ws, undefined, true));
    const lean = peakOf(() => leanGradients(f, ws));
    // tfjs holds every saved activation and every intermediate gradient at the end of its backward (82
    // tiles of 64×64 here, on the cpu backend whose clones copy); the lean backward never exceeds what the
    // forward left saved (50 tiles).
    expect(lean).toBeLessThan(stock * 0.7);
    tf.dispose([x, ...ws]);
  });

  it("owns a copy when a gradient function hands back dy itself", () => {
    const a = tf.variable(tf.tensor([1, 2, 3]));
    const b = tf.variable(tf.tensor([4, 5, 6]));
    // addLean's gradient of a same-shape operand is dy; both operands then feed one more op.
    const f = () => tf.sum(tf.mul(addLean(a, b), addLean(b, a)));
    const lean = leanGradients(f, [a, b]);
    const stock = tf.engine().gradients(() => tf.sum(tf.mul(tf.add(a, b), tf.add(b, a))), [a, b], undefined, true);
    expect(lean.grads[0]!.dataSync()).toEqual(stock.grads[0]!.dataSync());
    expect(lean.grads[1]!.dataSync()).toEqual(stock.grads[1]!.dataSync());
    tf.dispose([a, b, lean.value, stock.value, ...lean.grads.filter((g) => g), ...stock.grads.filter((g) => g)]);
  });

  it("works inside tidy and leaves no tensors behind when an op throws", () => {
    const x = tf.variable(tf.tensor([1, 2]));
    const before = tf.memory().numTensors;
    expect(() =>
      leanGradients(() => {
        tf.mul(x, 2);
        return fusedOp({
          inputs: { x },
          forward: () => {
            throw new Error("boom");
          },
          gradient: (dy) => ({ x: () => tf.clone(dy) }),
        });
      }, [x]),
    ).toThrow("boom");
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
