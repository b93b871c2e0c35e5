import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { optionalKernel, optionalKernels } from "./optional-kernel.js";

const NAME = "AfloraTestTwice";

describe("optionalKernel", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });
  afterAll(() => tf.unregisterKernel(NAME, "cpu"));

  it("runs the fallback where the backend has no such kernel, the kernel where it has one", () => {
    const x = tf.tensor([1, 2, 3]);
    const viaFallback = optionalKernel(NAME, { x }, () => tf.mul(x, 2));
    expect(Array.from(viaFallback.dataSync())).toEqual([2, 4, 6]);
    tf.registerKernel({
      kernelName: NAME,
      backendName: "cpu",
      kernelFunc: ({ inputs, backend }) => {
        const t = inputs.x as tf.TensorInfo;
        const values = (backend as unknown as { readSync(id: tf.DataId): Float32Array }).readSync(t.dataId);
        return (
          backend as tf.KernelBackend & { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo }
        ).makeTensorInfo(
          t.shape,
          "float32",
          values.map((v) => v * 3),
        );
      },
    });
    const viaKernel = optionalKernel(NAME, { x }, () => tf.mul(x, 2));
    expect(Array.from(viaKernel.dataSync())).toEqual([3, 6, 9]);
    tf.dispose([x, viaFallback, viaKernel]);
  });
});

describe("optionalKernels", () => {
  const MULTI = "AfloraTestSplitSign";
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });
  afterAll(() => tf.unregisterKernel(MULTI, "cpu"));

  it("returns the fallback's tensors, or every output of the kernel, with its attrs", () => {
    const x = tf.tensor([1, -2, 3]);
    const fallback = () => [tf.relu(x), tf.relu(tf.neg(x))];
    const viaFallback = optionalKernels(MULTI, { x }, fallback, { scale: 2 });
    expect(viaFallback.map((t) => Array.from(t.dataSync()))).toEqual([
      [1, 0, 3],
      [0, 2, 0],
    ]);
    tf.registerKernel({
      kernelName: MULTI,
      backendName: "cpu",
      kernelFunc: ({ inputs, backend, attrs }) => {
        const t = inputs.x as tf.TensorInfo;
        const be = backend as unknown as {
          readSync(id: tf.DataId): Float32Array;
          makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo;
        };
        const values = be.readSync(t.dataId);
        const scale = attrs!.scale as number;
        return [
          be.makeTensorInfo(
            t.shape,
            "float32",
            values.map((v) => scale * Math.max(v, 0)),
          ),
          be.makeTensorInfo(
            t.shape,
            "float32",
            values.map((v) => scale * Math.max(-v, 0)),
          ),
        ];
      },
    });
    const before = tf.memory().numTensors;
    const viaKernel = optionalKernels(MULTI, { x }, fallback, { scale: 2 });
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(viaKernel.map((t) => Array.from(t.dataSync()))).toEqual([
      [2, 0, 6],
      [0, 4, 0],
    ]);
    tf.dispose([x, ...viaFallback, ...viaKernel]);
  });
});
