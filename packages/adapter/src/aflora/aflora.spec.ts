import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { applyAdapter } from "../apply/apply.js";
import { parseAfloraConfig } from "./config.js";
import { useCpuBackend } from "../../test/backend.js";
import { expectedPath, pathOutput } from "../../test/path-output.js";
import { tinyModel } from "../../test/tiny-model.js";

useCpuBackend();

describe("aflora", () => {
  it("defaults follow the authors' GLUE scripts: r 4, λd 0.1, λb 0, no scaling, no dropout, FFN A/B trainable", () => {
    expect(parseAfloraConfig({})).toEqual({
      method: "aflora",
      r: 4,
      dInit: 0.1,
      bInit: 0,
      scaling: 1,
      dropout: 0,
      trainablePm: "ffn",
      targetModules: undefined,
      modulesToSave: undefined,
    });
    // The authors ran MNLI/QQP with r = 1024 on 768-wide layers: allowed.
    expect(parseAfloraConfig({ r: 1024 }).r).toBe(1024);
  });

  it("trainablePm picks which A/B start trainable, by module name", () => {
    const model = tinyModel();
    const trainableMatrices = (pm: string) => {
      const a = applyAdapter(model, { method: "aflora", trainablePm: pm }, { rng: new Rng(0) });
      const names = a.matrixNames
        .filter((n) => model.params.get(n).trainable)
        .map((n) => n.replace(/^bert\.encoder\.layer\.\d\./, "").replace(/\.lora_[AB]\.weight$/, ""));
      a.remove();
      return [...new Set(names)].sort();
    };
    expect(trainableMatrices("ffn")).toEqual(["intermediate.dense", "output.dense"]);
    expect(trainableMatrices("attention")).toEqual([
      "attention.output.dense",
      "attention.self.key",
      "attention.self.query",
      "attention.self.value",
    ]);
    expect(trainableMatrices("all")).toHaveLength(6);
    expect(trainableMatrices("none")).toEqual([]);
    model.dispose();
  });

  it("y = scaling · λb ⊙ B(λd ⊙ A·x); dropout acts on x only while training, seeded", () => {
    const model = tinyModel();
    const m = "bert.encoder.layer.0.intermediate.dense";
    const adapter = applyAdapter(
      model,
      { method: "aflora", scaling: 2, dropout: 0.5, bInit: 0.7, targetModules: [m] },
      { rng: new Rng(1) },
    );
    const x = tf.tensor2d(new Rng(3).uniformArray(4 * 6, -1, 1), [4, 6]);
    const p = pathOutput(adapter, m, x);
    const want = expectedPath(p, 2, 6, 10);
    p.y.forEach((row, n) => row.forEach((v, j) => expect(v).toBeCloseTo(want[n]![j]!, 5)));
    adapter.setTraining(true);
    const dropped = pathOutput(adapter, m, x).y;
    expect(dropped).not.toEqual(p.y);
    adapter.setTraining(false);
    expect(pathOutput(adapter, m, x).y).toEqual(p.y);
    x.dispose();
    adapter.remove();
    model.dispose();
  });
});
