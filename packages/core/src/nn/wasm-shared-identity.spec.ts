import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { describe, expect, it } from "vitest";
import "./tfjs-gradients.js";
import { installWasmSharedIdentity, uninstallWasmSharedIdentity } from "./wasm-shared-identity.js";

describe("installWasmSharedIdentity", () => {
  it("clones by sharing data (no copy in the wasm heap), and values stay independent of later ops", async () => {
    await tf.setBackend("wasm");
    expect(installWasmSharedIdentity()).toBe(true);
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = tf.memory().numTensors;
    const x = tf.tensor([1, 2, 3]);
    const ids = backend.numDataIds();
    const y = tf.clone(x);
    expect(backend.numDataIds()).toBe(ids); // shared, not copied
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    // Gradients that save (clone) their inputs still match the cpu backend's.
    const g = tf.tidy(() =>
      tf
        .grad((a: tf.Tensor) => tf.sum(tf.mul(tf.exp(a), a)))(tf.tensor([0.5, -1, 2]))
        .dataSync(),
    );
    const e = [0.5, -1, 2].map((a) => Math.exp(a) * (a + 1));
    g.forEach((v, i) => expect(v).toBeCloseTo(e[i]!, 5));
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    uninstallWasmSharedIdentity();
  });
});
