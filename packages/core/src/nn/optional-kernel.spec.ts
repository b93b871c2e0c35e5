import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { optionalKernel } from "./optional-kernel.js";

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
