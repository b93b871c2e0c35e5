import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { stepFlops } from "@aflora/metrics";
import { encoderShape, flopsForRun, type FlopShapes } from "./flops.js";
import { DEMO_ENCODER_DIR } from "@aflora/encoder";

const demo = JSON.parse(readFileSync(`${DEMO_ENCODER_DIR}/config.json`, "utf8")) as Record<string, unknown>;
const shapes = (method: FlopShapes["method"], r: number): FlopShapes => ({
  modelConfig: demo,
  batchSize: 32,
  seqLength: 64,
  method,
  r,
  batchesPerEpoch: 50,
});
const name = (layer: number, module: string, m: "A" | "B") =>
  `deberta.encoder.layer.${layer}.${module}.lora_${m}.weight`;

describe("FLOPs of a run's steps", () => {
  it("reads the encoder shape from config.json (DeBERTa: relative positions over position_buckets)", () => {
    expect(encoderShape(shapes("aflora", 4))).toEqual({
      layers: 4,
      hidden: 64,
      heads: 4,
      ffn: 256,
      seq: 64,
      batch: 32,
      labels: 2,
      relativePositions: { span: 32 },
    });
  });

  it("prices a step by the projection matrices still trainable, as metrics' stepFlops does", () => {
    const { flopsOfStep } = flopsForRun(shapes("aflora", 4));
    const shape = encoderShape(shapes("aflora", 4));
    const ffn = [0, 1, 2, 3].flatMap((l) =>
      (["A", "B"] as const).flatMap((m) => [name(l, "intermediate.dense", m), name(l, "output.dense", m)]),
    );
    const atStart = stepFlops(shape, {
      kind: "vector",
      r: 4,
      matrixTrainable: (_l, role) => role === "int" || role === "out",
    }).total;
    const allFrozen = stepFlops(shape, { kind: "vector", r: 4 }).total;
    expect(flopsOfStep!(0, new Set([...ffn, "classifier.weight"]))).toBe(atStart);
    expect(flopsOfStep!(99, new Set(["classifier.weight"]))).toBe(allFrozen);
    expect(allFrozen).toBeLessThan(atStart);
    const only = stepFlops(shape, {
      kind: "vector",
      r: 4,
      matrixTrainable: (l, role, m) => l === 2 && role === "int" && m === "B",
    }).total;
    expect(flopsOfStep!(5, new Set([name(2, "intermediate.dense", "B")]))).toBe(only);
  });

  it("uses LoRA's and full fine-tuning's own formulas", () => {
    const shape = encoderShape(shapes("lora", 8));
    expect(flopsForRun(shapes("lora", 8)).flopsOfStep!(0, new Set([name(0, "attention.self.query_proj", "A")]))).toBe(
      stepFlops(shape, { kind: "lora", r: 8, matrixTrainable: (l, role, m) => l === 0 && role === "q" && m === "A" })
        .total,
    );
    expect(flopsForRun(shapes("full", 0)).flopsOfStep!(0, new Set())).toBe(stepFlops(shape, { kind: "full" }).total);
  });
});
