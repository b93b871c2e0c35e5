// The native path must not change the numbers: Hugging Face parity fixtures, the freezing
// reference traces, a short training against wasm, and determinism at a fixed thread count.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { fileURLToPath } from "node:url";
import { installFastGradients, PluginRegistry } from "@aflora/core";
import { register as registerScorers } from "@aflora/scorer";
import { register as registerSchedules } from "@aflora/scheduler";
import { runEncoderParity } from "@aflora/encoder/repro";
import { runFreezingRepro } from "@aflora/scheduler/repro";
import { beforeAll, describe, expect, it } from "vitest";
import { registerNativeBackend } from "./native-backend.js";
import { requireNative } from "../test/require-native.js";
import { shortTraining, type TrainingTrace } from "../test/short-training.js";

const fixtures = (name: string) => fileURLToPath(new URL(`../../../fixtures/${name}`, import.meta.url));

beforeAll(() => {
  requireNative();
  registerNativeBackend({ threads: 2 });
  installFastGradients();
});

describe("numerics on the native backend", () => {
  it("passes every Hugging Face parity fixture at its stated tolerances", async () => {
    const results = await runEncoderParity(fixtures("hf-parity"), { backend: "native" });
    expect(results).toHaveLength(6);
    for (const r of results) {
      expect(r.backend).toBe("native");
      expect(r.error, r.fixture).toBeUndefined();
      expect(
        r.checks.filter((c) => !c.pass),
        r.fixture,
      ).toEqual([]);
      expect(r.checks.some((c) => c.quantity.startsWith("grad "))).toBe(true);
    }
  });

  it("passes the parity fixtures' gradients with per-layer recomputation too", async () => {
    const only = ["deberta-v3-tiny-cls3", "bert-tiny-cls3"];
    const results = await runEncoderParity(fixtures("hf-parity"), { backend: "native", only, recompute: true });
    expect(results.map((r) => [r.fixture, r.error, r.checks.filter((c) => !c.pass)])).toEqual(
      [...only].sort().map((f) => [f, undefined, []]),
    );
  });

  it("replays every freezing reference trace exactly as on cpu", async () => {
    await tf.setBackend("native");
    const results = await runFreezingRepro(
      fixtures("aflora-reference"),
      registerSchedules(registerScorers(new PluginRegistry())),
    );
    expect(tf.getBackend()).toBe("native");
    expect(results.scenarios.length).toBeGreaterThan(5);
    expect(results.scenarios.filter((s) => !s.ok).map((s) => `${s.scenario}: ${s.message}`)).toEqual([]);
    expect(results.scenarios.find((s) => s.scenario === "mrpc_defaults")?.avgTrainParams).toBe(212.1);
  });
});

describe("a short LoRA training", () => {
  let wasm: TrainingTrace;
  let native: TrainingTrace;
  beforeAll(async () => {
    await tf.setBackend("wasm");
    wasm = shortTraining(6);
    await tf.setBackend("native");
    registerNativeBackend({ threads: 2 });
    native = shortTraining(6);
  });

  it("has the wasm backend's losses and parameters to float32 noise", () => {
    expect(native.losses).toHaveLength(6);
    for (let s = 0; s < 6; s++)
      expect(Math.abs(native.losses[s]! - wasm.losses[s]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(wasm.losses[s]!)));
    expect(native.losses.at(-1)).toBeLessThan(native.losses[0]!);
    let worst = 0;
    for (const [name, w] of wasm.params) {
      const n = native.params.get(name)!;
      for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(n[i]! - w[i]!));
    }
    // 6 AdamW steps at lr 1e-3 move a parameter by at most ~6e-3; float32 noise stays far below.
    expect(worst).toBeLessThan(1e-5);
  });

  it("is bit-for-bit deterministic at a fixed thread count (2 threads, then 1)", async () => {
    await tf.setBackend("native");
    const before = tf.memory().numTensors;
    const again = shortTraining(6);
    expect(again.losses).toEqual(native.losses);
    for (const [name, v] of native.params)
      expect(Buffer.compare(Buffer.from(again.params.get(name)!.buffer), Buffer.from(v.buffer)), name).toBe(0);
    registerNativeBackend({ threads: 1 });
    const one = shortTraining(6);
    const oneAgain = shortTraining(6);
    expect(oneAgain.losses).toEqual(one.losses);
    registerNativeBackend({ threads: 2 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
