import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { afterAll, describe, expect, it } from "vitest";
import { Rng } from "../random/rng.js";
import { installWasmFastMatMul, uninstallWasmFastMatMul, wasmFastMatMulInstalled } from "./wasm-fast-matmul.js";

const CASES: Array<[string, number[], number[], boolean, boolean]> = [
  ["2-D plain", [5, 3], [3, 4], false, false],
  ["2-D, B transposed", [5, 3], [4, 3], false, true],
  ["2-D, A transposed", [3, 5], [3, 4], true, false],
  ["2-D, both transposed", [3, 5], [4, 3], true, true],
  ["batched scores QKᵀ", [6, 7, 2], [6, 7, 2], false, true],
  ["batched context PV", [6, 7, 7], [6, 7, 2], false, false],
  ["batched, both transposed", [2, 3, 5], [2, 4, 3], true, true],
  ["batched A · shared 2-D B", [2, 5, 3], [3, 4], false, false],
  ["batched Aᵀ · shared Bᵀ", [2, 3, 5], [4, 3], true, true],
  ["shared 2-D A · batched B", [5, 3], [2, 3, 4], false, false],
  ["rank-4, broadcast batch dim", [2, 3, 5, 4], [1, 3, 4, 6], false, false],
  ["rank-4, multi-dim broadcast (stock kernel)", [2, 1, 5, 4], [1, 3, 4, 6], false, false],
];

function product(c: (typeof CASES)[number], seed: number): Float32Array {
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
  return tf.tidy(() => tf.matMul(rand(c[1]), rand(c[2]), c[3], c[4]).dataSync() as Float32Array);
}

afterAll(() => uninstallWasmFastMatMul());

describe("installWasmFastMatMul", () => {
  it.each(CASES)("%s: same values as the cpu backend", async (...c) => {
    await tf.setBackend("cpu");
    const expected = product(c, 5);
    await tf.setBackend("wasm");
    expect(installWasmFastMatMul()).toBe(true);
    expect(installWasmFastMatMul()).toBe(true);
    expect(wasmFastMatMulInstalled()).toBe(true);
    const before = tf.memory().numTensors;
    const got = product(c, 5);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.length).toBe(expected.length);
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < got.length; i++) {
      diff = Math.max(diff, Math.abs(got[i]! - expected[i]!));
      scale = Math.max(scale, Math.abs(expected[i]!));
    }
    expect(diff / scale).toBeLessThan(1e-6);
  });

  it("frees its temporaries in the wasm heap", async () => {
    await tf.setBackend("wasm");
    installWasmFastMatMul();
    const backend = tf.backend() as unknown as { numDataIds(): number };
    product(CASES[6]!, 1);
    const ids = backend.numDataIds();
    for (let i = 0; i < 3; i++) product(CASES[6]!, 1);
    expect(backend.numDataIds()).toBe(ids);
    uninstallWasmFastMatMul();
    expect(wasmFastMatMulInstalled()).toBe(false);
  });
});
