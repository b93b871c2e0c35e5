import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { clipByGlobalNorm, globalNorm } from "./clip.js";

describe("global gradient-norm clipping", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("scales by maxNorm/(norm+1e-6) like clip_grad_norm_ and returns the norm before clipping", () => {
    const grads = new Map<string, tf.Tensor>([
      ["a", tf.tensor1d([3, 0])],
      ["b", tf.tensor2d([[0, 4]])],
    ]);
    const before = tf.memory().numTensors;
    expect(globalNorm(grads)).toBeCloseTo(5, 6);
    expect(clipByGlobalNorm(grads, 0.1)).toBeCloseTo(5, 6);
    const coef = 0.1 / (5 + 1e-6);
    expect(Array.from(grads.get("a")!.dataSync())[0]).toBeCloseTo(3 * coef, 7);
    expect(Array.from(grads.get("b")!.dataSync())[1]).toBeCloseTo(4 * coef, 7);
    expect(tf.memory().numTensors).toBe(before);
    const unchanged = grads.get("a")!;
    expect(clipByGlobalNorm(grads, 10)).toBeCloseTo(0.1, 6);
    expect(grads.get("a")).toBe(unchanged);
    for (const g of grads.values()) g.dispose();
  });
});
