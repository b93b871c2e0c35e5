import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "@aflora/core";
import { describe, expect, it, vi } from "vitest";
import { applyAdapter } from "./apply.js";
import { useCpuBackend } from "../../test/backend.js";
import { tinyModel } from "../../test/tiny-model.js";

useCpuBackend();

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

/** Non-zero λb / B so that the path actually changes the output. */
const configs = [
  { method: "lora", r: 3, alpha: 6 },
  { method: "elora", r: 16, bInit: 0.3 },
  { method: "elora", r: 16, bInit: 0.3, sharedProjection: true },
  { method: "aflora", bInit: 0.4, trainablePm: "all" },
  { method: "aflora", bInit: 0.4, scaling: 2, dInit: 0.7 },
];

describe("merge / unmerge", () => {
  for (const config of configs) {
    it(`${JSON.stringify(config)}: merged and unmerged outputs agree to 1e-5`, () => {
      const model = tinyModel({ style: "deberta-v2" });
      const adapter = applyAdapter(model, config, { rng: new Rng(4) });
      if (config.method === "lora") {
        // B starts at zero; give it values so the merge is not trivially the identity.
        for (const n of adapter.parameterNames.filter((n) => n.endsWith("lora_B.weight"))) {
          const v = adapter.variable(n);
          v.assign(tf.tidy(() => tf.randomUniform(v.shape, -0.5, 0.5, "float32", 7)));
        }
      }
      const x = tf.tensor2d(new Rng(5).uniformArray(5 * 6, -1, 1), [5, 6]);
      const baseKernel = model.linears().get("deberta.encoder.layer.1.intermediate.dense")!.kernel.clone();
      const before = tf.memory().numTensors;
      const unmerged = model.forward(x);
      adapter.merge();
      expect(adapter.merged).toBe(true);
      const merged = model.forward(x);
      expect(maxAbsDiff(merged, unmerged)).toBeLessThan(1e-5);
      // The adapter really contributes: W0 changed by ΔWᵀ.
      const mergedKernel = model.linears().get("deberta.encoder.layer.1.intermediate.dense")!.kernel;
      expect(maxAbsDiff(mergedKernel, baseKernel)).toBeGreaterThan(1e-3);
      adapter.unmerge();
      const again = model.forward(x);
      expect(maxAbsDiff(again, unmerged)).toBeLessThan(1e-5);
      expect(
        maxAbsDiff(model.linears().get("deberta.encoder.layer.1.intermediate.dense")!.kernel, baseKernel),
      ).toBeLessThan(1e-6);
      tf.dispose([merged, unmerged, again]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, baseKernel]);
      adapter.remove();
      model.dispose();
    });
  }

  it("deltaKernel is scaling · A·diag(λd)·B·diag(λb), checked element-wise by hand", () => {
    const model = tinyModel();
    const adapter = applyAdapter(
      model,
      { method: "aflora", r: 2, scaling: 3, targetModules: ["layer.0.intermediate.dense"] },
      { rng: new Rng(1) },
    );
    const m = "bert.encoder.layer.0.intermediate.dense";
    adapter.variable(`${m}.lora_d`).assign(tf.tensor1d([0.5, -2]));
    adapter.variable(`${m}.lora_db`).assign(tf.tensor1d(Array.from({ length: 10 }, (_, j) => j / 10 - 0.3)));
    const A = adapter.variable(`${m}.lora_A.weight`).arraySync() as number[][]; // [in, r]
    const B = adapter.variable(`${m}.lora_B.weight`).arraySync() as number[][]; // [r, out]
    const d = [0.5, -2];
    const delta = adapter.modules.get(m)!.path.deltaKernel();
    const got = delta.arraySync() as number[][];
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 10; j++) {
        const want = 3 * (A[i]![0]! * d[0]! * B[0]![j]! + A[i]![1]! * d[1]! * B[1]![j]!) * (j / 10 - 0.3);
        expect(got[i]![j]!).toBeCloseTo(want, 5);
      }
    }
    delta.dispose();
    adapter.remove();
    model.dispose();
  });

  it("merged inference runs no adapter path (the base model's cost)", () => {
    const model = tinyModel();
    const adapter = applyAdapter(model, { method: "aflora" }, { rng: new Rng(1) });
    const spies = [...adapter.modules.values()].map((m) => vi.spyOn(m.path, "forward"));
    const x = tf.tensor2d(new Rng(2).uniformArray(2 * 6, -1, 1), [2, 6]);
    tf.dispose(model.forward(x));
    expect(spies.every((s) => s.mock.calls.length === 1)).toBe(true);
    adapter.merge();
    tf.dispose(model.forward(x));
    expect(spies.every((s) => s.mock.calls.length === 1)).toBe(true);
    x.dispose();
    adapter.remove();
    model.dispose();
  });
});
