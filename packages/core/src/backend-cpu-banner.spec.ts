import * as tf from "@tensorflow/tfjs-core";
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { afterEach, describe, expect, it, vi } from "vitest";
import { selectBackend } from "./backend.js";

const BANNER = /looks like you are running TensorFlow\.js in Node\.js/;
const bannerCalls = (spy: { mock: { calls: unknown[][] } }) => spy.mock.calls.filter((c) => BANNER.test(String(c[0])));

describe("the tfjs-backend-cpu Node.js banner", () => {
  afterEach(() => vi.restoreAllMocks());

  it("is printed by a stock cpu backend on its first write (what the check below would catch)", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const stock = new MathBackendCPU();
    stock.disposeData(stock.write(new Float32Array([1]), [1], "float32"));
    stock.dispose();
    expect(bannerCalls(warn)).toHaveLength(1);
  });

  it("is not printed when aflora selects the cpu backend, and other tfjs warnings still are", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(await selectBackend("cpu", { env: {} })).toBe("cpu");
    const before = tf.memory().numTensors;
    tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.scalar(1)).dataSync());
    expect(tf.memory().numTensors).toBe(before);
    expect(bannerCalls(warn)).toHaveLength(0);
    tf.backend_util.warn("a tfjs warning");
    expect(warn).toHaveBeenCalledWith("a tfjs warning");
  });
});
