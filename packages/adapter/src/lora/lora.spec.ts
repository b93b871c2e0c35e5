import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { applyAdapter } from "../apply/apply.js";
import { parseLoraConfig } from "./config.js";
import { useCpuBackend } from "../../test/backend.js";
import { expectedPath, pathOutput } from "../../test/path-output.js";
import { tinyModel } from "../../test/tiny-model.js";

useCpuBackend();

describe("lora", () => {
  it("defaults are PEFT's LoraConfig defaults", () => {
    expect(parseLoraConfig({})).toEqual({
      method: "lora",
      r: 8,
      alpha: 8,
      dropout: 0,
      targetModules: undefined,
      modulesToSave: undefined,
    });
    expect(() => parseLoraConfig({ r: 0 })).toThrow(/r: expected a positive integer, got 0/);
    expect(() => parseLoraConfig({ alpha: "16" })).toThrow(/alpha: expected a finite number/);
  });

  it("y = (alpha/r)·B(A·x), no λ vectors", () => {
    const model = tinyModel();
    const m = "bert.encoder.layer.0.output.dense";
    const adapter = applyAdapter(model, { method: "lora", r: 3, alpha: 12, targetModules: [m] }, { rng: new Rng(1) });
    adapter.variable(`${m}.lora_B.weight`).assign(tf.tensor2d(new Rng(2).uniformArray(3 * 6, -1, 1), [3, 6]));
    const x = tf.tensor2d(new Rng(3).uniformArray(2 * 10, -1, 1), [2, 10]);
    const p = pathOutput(adapter, m, x);
    expect(p.d).toBeNull();
    const want = expectedPath(p, 12 / 3, 10, 6);
    p.y.forEach((row, n) => row.forEach((v, j) => expect(v).toBeCloseTo(want[n]![j]!, 5)));
    x.dispose();
    adapter.remove();
    model.dispose();
  });
});
