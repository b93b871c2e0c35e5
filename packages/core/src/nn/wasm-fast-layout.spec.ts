import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { afterAll, describe, expect, it } from "vitest";
import { Rng } from "../random/rng.js";
import { installWasmFastLayout, uninstallWasmFastLayout } from "./wasm-fast-layout.js";

const rand = (shape: number[], seed: number) => {
  const rng = new Rng(seed);
  return tf.tensor(
    rng.uniformArray(
      shape.reduce((p, d) => p * d, 1),
      -1,
      1,
    ),
    shape,
  );
};

async function onBoth(f: () => tf.Tensor): Promise<[Float32Array, Float32Array, number[], number[]]> {
  await tf.setBackend("cpu");
  const e = tf.tidy(f);
  const expected = [e.dataSync() as Float32Array, e.shape] as const;
  e.dispose();
  await tf.setBackend("wasm");
  expect(installWasmFastLayout()).toBe(true);
  const before = tf.memory().numTensors;
  const g = tf.tidy(f);
  const got = [g.dataSync() as Float32Array, g.shape] as const;
  g.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return [got[0], expected[0], got[1], expected[1]];
}

afterAll(() => uninstallWasmFastLayout());

describe("installWasmFastLayout", () => {
  it.each([
    ["2-D, not a tile multiple", [37, 70], [1, 0]],
    ["batched swap of the last two axes", [3, 33, 5], [0, 2, 1]],
    ["attention head split [B,S,nh,dh] → [B,nh,S,dh]", [2, 5, 3, 4], [0, 2, 1, 3]],
    ["rank-3, innermost kept", [4, 3, 6], [1, 0, 2]],
    ["other permutation (stock kernel)", [2, 3, 4], [2, 0, 1]],
  ])("transposes %s exactly like the cpu backend", async (_name, shape, perm) => {
    const [got, expected, gs, es] = await onBoth(() => tf.transpose(rand(shape as number[], 3), perm as number[]));
    expect(gs).toEqual(es);
    expect(Array.from(got)).toEqual(Array.from(expected));
  });

  it.each([
    ["over rows", [50, 7], [0], false],
    ["over two leading axes, keepDims", [3, 4, 5], [0, 1], true],
    ["negative axis over the last (stock kernel)", [3, 4], [-1], false],
    ["everything (stock kernel)", [3, 4], [0, 1], false],
  ])("sums %s like the cpu backend", async (_name, shape, axis, keepDims) => {
    const [got, expected, gs, es] = await onBoth(() =>
      tf.sum(rand(shape as number[], 5), axis as number[], keepDims as boolean),
    );
    expect(gs).toEqual(es);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });
});
