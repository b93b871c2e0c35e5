import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { applyAdapter } from "../apply/apply.js";
import { parseEloraConfig } from "./config.js";
import { useCpuBackend } from "../../test/backend.js";
import { expectedPath, pathOutput } from "../../test/path-output.js";
import { tinyModel } from "../../test/tiny-model.js";

useCpuBackend();

describe("elora", () => {
  it("defaults: r 1024, λd 0.1, λb 0, a pair per module; ranks above the layer width are allowed", () => {
    expect(parseEloraConfig({})).toMatchObject({
      method: "elora",
      r: 1024,
      dInit: 0.1,
      bInit: 0,
      sharedProjection: false,
      dropout: 0,
    });
    expect(() => parseEloraConfig({ r: 9000 })).toThrow(/r: 9000 is above the largest supported ELoRA rank 8192/);
    expect(() => parseEloraConfig({ sharedProjection: "yes" })).toThrow(/sharedProjection: expected true or false/);
    const model = tinyModel();
    const a = applyAdapter(model, { method: "elora", r: 32 }, { rng: new Rng(0) });
    expect(model.params.get("bert.encoder.layer.0.attention.self.query.lora_A.weight").stateShape).toEqual([32, 6]);
    a.remove();
    model.dispose();
  });

  it("y = λb ⊙ B(λd ⊙ A·x); a shared pair is sliced to each module's width", () => {
    const model = tinyModel();
    const adapter = applyAdapter(
      model,
      { method: "elora", r: 8, sharedProjection: true, bInit: 0.5, dInit: -0.3 },
      { rng: new Rng(1) },
    );
    const rng = new Rng(3);
    for (const [m, inF, outF] of [
      ["bert.encoder.layer.0.intermediate.dense", 6, 10],
      ["bert.encoder.layer.1.output.dense", 10, 6],
    ] as const) {
      const x = tf.tensor2d(rng.uniformArray(2 * inF, -1, 1), [2, inF]);
      const p = pathOutput(adapter, m, x);
      // The shared kernels are [10, 8] and [8, 10]; expectedPath uses the first inF rows / outF columns.
      expect([p.A.length, p.B[0]!.length]).toEqual([10, 10]);
      const want = expectedPath(p, 1, inF, outF);
      p.y.forEach((row, n) => row.forEach((v, j) => expect(v).toBeCloseTo(want[n]![j]!, 5)));
      x.dispose();
    }
    adapter.remove();
    model.dispose();
  });
});
