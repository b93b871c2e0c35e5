import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "./tfjs-gradients.js";
import { beforeAll, describe, expect, it } from "vitest";
import { addLean, fusedOp, reduceToShape, reshapeLean, subLean } from "./fused-op.js";
import { leanGradients } from "./lean-gradients.js";
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

describe("fusedOp", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("keeps only what save names, and calls only the gradients of inputs on a requested path", () => {
    const rng = new Rng(5);
    const x = rand(rng, [3, 4]);
    const frozen = tf.variable(rand(rng, [4]), false);
    const trained = tf.variable(rand(rng, [4]));
    const called: string[] = [];
    let kept = 0;
    const f = () =>
      tf.sum(
        fusedOp({
          inputs: { x, frozen, trained },
          forward: (save) => {
            const inner = tf.mul(tf.add(x, frozen), trained);
            save([x]);
            return inner;
          },
          gradient: (dy, saved) => {
            kept = saved.length;
            return {
              x: () => (called.push("x"), tf.mul(dy, trained)),
              frozen: () => (called.push("frozen"), reduceToShape(tf.mul(dy, trained), [4])),
              trained: () => (called.push("trained"), reduceToShape(tf.mul(dy, tf.add(saved[0]!, frozen)), [4])),
            };
          },
        }),
      );
    const before = tf.memory().numTensors;
    const lean = leanGradients(f, [trained]);
    const stock = tf.engine().gradients(() => tf.sum(tf.mul(tf.add(x, frozen), trained)), [trained], undefined, true);
    expect(called).toEqual(["trained"]);
    expect(kept).toBe(1);
    expect(lean.value.dataSync()).toEqual(stock.value.dataSync());
    expect(lean.grads[0]!.dataSync()).toEqual(stock.grads[0]!.dataSync());
    tf.dispose([lean.value, stock.value, lean.grads[0]!, stock.grads[0]!]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, frozen, trained]);
  });

  it("records nothing outside a gradient tape and frees the block's intermediates", () => {
    const x = tf.tensor([1, 2, 3]);
    const before = tf.memory().numTensors;
    const y = fusedOp({
      inputs: { x },
      forward: (save) => {
        save([x]);
        return tf.exp(tf.mul(x, 2));
      },
      gradient: (dy) => ({ x: () => tf.clone(dy) }),
    });
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, y]);
  });
});

describe("lean shape ops", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("addLean, subLean and reshapeLean give tfjs's values and gradients, broadcasting included", () => {
    const rng = new Rng(9);
    const a = tf.variable(rand(rng, [2, 3, 4]));
    const b = tf.variable(rand(rng, [3, 1]));
    const c = tf.variable(rand(rng, [4]));
    const w = rand(rng, [4, 6]);
    const body = (add: typeof tf.add, sub: typeof tf.sub, reshape: (x: tf.Tensor, s: number[]) => tf.Tensor) => () => {
      const s = sub(add(a, b), c);
      const r = reshape(s, [6, 4]);
      return tf.sum(tf.mul(tf.matMul(r as tf.Tensor2D, w as tf.Tensor2D), add(tf.scalar(1), tf.zeros([6, 6]))));
    };
    const lean = leanGradients(
      body(addLean as typeof tf.add, subLean as typeof tf.sub, (x, s) => reshapeLean(x, s)),
      [a, b, c],
    );
    const stock = tf.engine().gradients(
      body(tf.add, tf.sub, (x, s) => tf.reshape(x, s)),
      [a, b, c],
      undefined,
      true,
    );
    expect(lean.value.dataSync()).toEqual(stock.value.dataSync());
    for (let i = 0; i < 3; i++) {
      expect(lean.grads[i]!.shape).toEqual(stock.grads[i]!.shape);
      expect(lean.grads[i]!.dataSync()).toEqual(stock.grads[i]!.dataSync());
    }
    tf.dispose([a, b, c, w, lean.value, stock.value, ...lean.grads.filter((g) => g), ...stock.grads.filter((g) => g)]);
  });

  it("addLean with a number keeps nothing and passes dy through", () => {
    const a = tf.variable(tf.tensor([1, -2]));
    const lean = leanGradients(() => tf.sum(tf.square(addLean(a, 3))), [a]);
    expect(Array.from(lean.grads[0]!.dataSync())).toEqual([8, 2]);
    tf.dispose([a, lean.value, lean.grads[0]!]);
  });
});
