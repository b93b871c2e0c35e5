import { PluginRegistry, type FreezeSchedule } from "@aflora/core";
import { container } from "tsyringe";
import { decoderScorerDefinitions } from "@aflora/scorer";
import { decoderScheduleDefinitions } from "@aflora/scheduler";
import { describe, expect, it } from "vitest";
import { register } from "../register.js";
import { listDecoderPresets, loadDecoderPreset } from "./presets.js";

const registry = register(new PluginRegistry());
for (const d of [...decoderScorerDefinitions, ...decoderScheduleDefinitions]) registry.register(d);

/** Checks a section with its plugin's own zod schema, as the CLI's config resolver does. */
function check(kind: "task" | "scorer" | "schedule", section: Record<string, unknown>): Record<string, unknown> {
  const { name, ...options } = section as { name: string };
  const r = registry.get(kind, name).options!.safeParse(options);
  if (!r.success) throw new Error(`${kind} ${name}: ${r.error.message}`);
  return r.data as Record<string, unknown>;
}

describe("decoder presets", () => {
  it("ships llama-tiny-demo and llama_7b_math_aflora", () => {
    expect(listDecoderPresets()).toEqual(["llama-tiny-demo", "llama_7b_math_aflora"]);
    expect(() => loadDecoderPreset("llama-13b")).toThrow(
      '--preset: expected one of llama-tiny-demo, llama_7b_math_aflora (got "llama-13b")',
    );
  });

  it("llama_7b_math_aflora is the authors' script: lr 2e-3, 3 epochs, cutoff 256, batch 1, 100 warm-up steps, eval/save every 80, 120 validation examples", () => {
    const p = loadDecoderPreset("llama_7b_math_aflora") as Record<string, Record<string, unknown>>;
    expect(p["$comment"]).toBeUndefined();
    expect(p["training"]).toMatchObject({
      lr: 2e-3,
      epochs: 3,
      batchSize: 1,
      gradientAccumulation: 1,
      warmupSteps: 100,
      evalEvery: 80,
      checkpointEvery: 80,
    });
    expect(p["adapter"]).toEqual({
      name: "aflora",
      r: 32,
      scaling: 64 / 32,
      dInit: 0.1,
      bInit: 0,
      dropout: 0.05,
      trainablePm: "all",
      targetModules: ["q_proj", "k_proj", "v_proj", "up_proj", "down_proj"],
    });
    expect(check("task", p["data"]!)).toMatchObject({
      cutoffLen: 256,
      valSetSize: 120,
      valSeed: 42,
      paddingSide: "left",
      padToMultipleOf: 8,
    });
    expect(check("scorer", p["scorer"]!)).toEqual({ beta1: 0.85, beta2: 0.95, deltaT: 10 });
    expect(check("schedule", p["schedule"]!)).toEqual({
      initialWarmup: 0.3,
      finalWarmup: 0.3,
      initialThreshold: 1,
      finalThreshold: 0,
    });
  });

  it("llama-tiny-demo validates against the task, scorer and schedule schemas", () => {
    const p = loadDecoderPreset("llama-tiny-demo") as Record<string, Record<string, unknown>>;
    expect(check("task", p["data"]!)).toMatchObject({ trainExamples: 256, heldOutExamples: 64, trainOnInputs: false });
    expect(check("scorer", p["scorer"]!)["deltaT"]).toBe(4);
    check("schedule", p["schedule"]!);
    expect(p["model"]).toEqual({ name: "llama", path: "fixtures/hf-parity-decoder/llama-tiny-mha" });
    expect(p["data"]!["cutoffLen"]).toBe(256);
  });

  it("llama-tiny-demo's comment states its schedule: T = 3 × 32 = 96, ramp 29..67 masking every 4 steps, final phase from 68", () => {
    const p = loadDecoderPreset("llama-tiny-demo") as Record<string, Record<string, unknown>>;
    const perEpoch = Math.ceil((p["data"]!["trainExamples"] as number) / (p["training"]!["batchSize"] as number));
    const T = perEpoch * (p["training"]!["epochs"] as number);
    expect([perEpoch, T]).toEqual([32, 96]);
    const s = registry.create<FreezeSchedule>(
      "schedule",
      { ...(p["schedule"] as { name: string }), deltaT: 4 },
      container.createChildContainer(),
    );
    const ctx = { totalSteps: T, stepsPerEpoch: perEpoch, epochs: 3 };
    const masks = Array.from({ length: T }, (_, t) => t).filter((t) => s.at(t, ctx).mask);
    expect(masks.filter((t) => t < 68)).toEqual([32, 36, 40, 44, 48, 52, 56, 60, 64]);
    expect(s.at(28, ctx).threshold).toBe(1);
    expect(s.at(29, ctx).threshold).toBeLessThan(1);
    expect(s.at(68, ctx)).toEqual({ threshold: 0, mask: true });
  });
});
