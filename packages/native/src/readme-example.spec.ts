// The README's examples, run as written.
import * as tf from "@tensorflow/tfjs-core";
import { describeBackend, installFastGradients, NATIVE_HINT, selectBackendInfo } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { registerNativeBackend } from "./index.js";
import { requireNative } from "../test/require-native.js";

describe("README", () => {
  it("selects the native backend through @aflora/core and describes it in one line", async () => {
    requireNative();
    const used = await selectBackendInfo("auto", { threads: 2, env: {} });
    installFastGradients();
    expect(used).toMatchObject({ backend: "native", blasVendor: "openblas", threads: 2 });
    expect(used.hint).toBeUndefined();
    expect(describeBackend(used)).toMatch(/^native \(openblas \S*libopenblas\.so\.0, 2 threads\)$/);
    expect(tf.getBackend()).toBe("native");
    expect(NATIVE_HINT).toBe("install libopenblas0-pthread for the native path (apt-get install libopenblas0-pthread)");
  });

  it("registers the backend directly and honours AFLORA_THREADS through core", async () => {
    const info = registerNativeBackend({ threads: 1 });
    expect(info).toMatchObject({ backend: "native", threads: 1, blas: { vendor: "openblas", threads: 1 } });
    expect(await tf.setBackend("native")).toBe(true);
    const viaEnv = await selectBackendInfo("auto", { env: { AFLORA_THREADS: "2" } });
    expect(viaEnv.threads).toBe(2);
    const forcedWasm = await selectBackendInfo("auto", { env: { AFLORA_BACKEND: "wasm" } });
    expect(forcedWasm).toEqual({ backend: "wasm", blas: null, blasVendor: null, threads: 1 });
  });
});
