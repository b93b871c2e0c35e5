import * as tf from "@tensorflow/tfjs-core";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { NATIVE_HINT } from "./backend-native.js";
import {
  currentBackendName,
  describeBackend,
  lastBackendSelection,
  selectBackend,
  selectBackendInfo,
} from "./backend.js";

const missing = (pkg: string) => Promise.reject(new Error(`Cannot find package '${pkg}'`));
/** No tfjs-node and no @aflora/native: what a machine without them sees. */
const noNative = (pkg: string) => (pkg.includes("tfjs-node") || pkg === "@aflora/native" ? missing(pkg) : import(pkg));
/** A stand-in @aflora/native whose BLAS is missing (its real error line). */
const noBlas = (pkg: string) =>
  pkg.includes("tfjs-node")
    ? missing(pkg)
    : pkg === "@aflora/native"
      ? Promise.resolve({
          registerNativeBackend: () => {
            throw new Error(
              "@aflora/native: no CBLAS found (9 tried); install libopenblas0-pthread for the native path",
            );
          },
        })
      : import(pkg);

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

describe("selectBackend", () => {
  it("falls back from tfjs-node-gpu and tfjs-node to wasm, then to cpu", async () => {
    expect(await selectBackend("auto", { importer: noNative, env: {} })).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(currentBackendName()).toBe("wasm");
    const tried: string[] = [];
    const noWasm = (pkg: string) => {
      tried.push(pkg);
      return pkg.endsWith("cpu") ? import(pkg) : Promise.reject(new Error("no"));
    };
    expect(await selectBackend(undefined, { importer: noWasm, env: {} })).toBe("cpu");
    expect(tried).toEqual([
      "@tensorflow/tfjs-node-gpu",
      "@tensorflow/tfjs-node",
      "@aflora/native",
      "@tensorflow/tfjs-backend-wasm",
      "@tensorflow/tfjs-backend-cpu",
    ]);
    expect(tf.getBackend()).toBe("cpu");
  });

  it("with the real importer, a missing optional tfjs-node is skipped", async () => {
    const got = await selectBackend("auto", { env: {} });
    if (!installed("@tensorflow/tfjs-node-gpu") && !installed("@tensorflow/tfjs-node"))
      expect(["native", "wasm"]).toContain(got);
    expect(currentBackendName()).toBe(got);
    expect(lastBackendSelection()?.backend).toBe(got);
  });

  it("says what it used, and without a BLAS falls back to wasm with a one-line hint", async () => {
    const s = await selectBackendInfo("auto", { importer: noBlas, env: {} });
    expect(s).toEqual({ backend: "wasm", blas: null, blasVendor: null, threads: 1, hint: NATIVE_HINT });
    expect(NATIVE_HINT).toMatch(/^install libopenblas0-pthread for the native path/);
    expect(describeBackend(s)).toBe("wasm (1 thread)");
    await expect(selectBackendInfo("native", { importer: noBlas, env: {} })).rejects.toThrow(
      /Backend "native" was requested \(argument\) but is unavailable: @aflora\/native: no CBLAS found/,
    );
    const cpu = await selectBackendInfo("cpu", { importer: noBlas, env: { AFLORA_THREADS: "3" } });
    expect(cpu).toEqual({ backend: "cpu", blas: null, blasVendor: null, threads: 1 });
  });

  it("rejects a bad thread count, from the option or AFLORA_THREADS", async () => {
    await expect(selectBackendInfo("wasm", { threads: 0, env: {} })).rejects.toThrow(
      /threads: expected a positive integer, got 0/,
    );
    await expect(selectBackendInfo("wasm", { env: { AFLORA_THREADS: "two" } })).rejects.toThrow(
      /environment variable AFLORA_THREADS: expected a positive integer, got "two"/,
    );
  });

  it("is forced by the argument, else by AFLORA_BACKEND", async () => {
    expect(await selectBackend("auto", { importer: noNative, env: { AFLORA_BACKEND: "cpu" } })).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(await selectBackend("wasm", { importer: noNative, env: { AFLORA_BACKEND: "cpu" } })).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
  });

  it("explains why a forced backend is unavailable, and rejects unknown names", async () => {
    await expect(selectBackend("tensorflow", { importer: noNative, env: {} })).rejects.toThrow(
      /Backend "tensorflow" was requested \(argument\) but is unavailable: @tensorflow\/tfjs-node could not be loaded \(Cannot find package/,
    );
    await expect(
      selectBackend("auto", { importer: noNative, env: { AFLORA_BACKEND: "tensorflow-gpu" } }),
    ).rejects.toThrow(/requested \(AFLORA_BACKEND\)/);
    await expect(selectBackend("auto", { env: { AFLORA_BACKEND: "webgpu" } })).rejects.toThrow(
      /environment variable AFLORA_BACKEND: unknown backend "webgpu"; expected one of auto, tensorflow-gpu, tensorflow, native, wasm, cpu/,
    );
    await expect(selectBackend("gpu" as never)).rejects.toThrow(/backend: unknown backend "gpu"/);
  });
});
