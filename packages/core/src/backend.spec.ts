import * as tf from "@tensorflow/tfjs-core";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { currentBackendName, selectBackend } from "./backend.js";

const noNative = (pkg: string) => (pkg.includes("tfjs-node") ? Promise.reject(new Error(`Cannot find package '${pkg}'`)) : import(pkg));

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
    expect(tried).toEqual(["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node", "@tensorflow/tfjs-backend-wasm", "@tensorflow/tfjs-backend-cpu"]);
    expect(tf.getBackend()).toBe("cpu");
  });

  it("with the real importer, a missing optional native package is skipped", async () => {
    const got = await selectBackend("auto", { env: {} });
    if (!installed("@tensorflow/tfjs-node-gpu") && !installed("@tensorflow/tfjs-node")) expect(got).toBe("wasm");
    expect(currentBackendName()).toBe(got);
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
    await expect(selectBackend("auto", { importer: noNative, env: { AFLORA_BACKEND: "tensorflow-gpu" } })).rejects.toThrow(/requested \(AFLORA_BACKEND\)/);
    await expect(selectBackend("auto", { env: { AFLORA_BACKEND: "webgpu" } })).rejects.toThrow(
      /environment variable AFLORA_BACKEND: unknown backend "webgpu"; expected one of auto, tensorflow-gpu, tensorflow, wasm, cpu/,
    );
    await expect(selectBackend("gpu" as never)).rejects.toThrow(/backend: unknown backend "gpu"/);
  });
});
