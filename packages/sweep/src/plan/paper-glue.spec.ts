import { describe, expect, it } from "vitest";
import { CLI_PRESETS } from "../../test/helpers.js";
import { sweepFileOf } from "../commands/sweep-run.js";
import { planSweep } from "./plan-sweep.js";

describe("the paper-glue sweep preset", () => {
  it("lists the paper's 8 GLUE tasks × 4 methods × 5 seeds with each task's settings", () => {
    const plan = planSweep(sweepFileOf(undefined, "paper-glue"), { presetsDir: CLI_PRESETS, output: "/tmp/unused" });
    expect(plan.trials).toHaveLength(160);
    expect(new Set(plan.trials.map((t) => t.id)).size).toBe(160);
    const find = (method: string, task: string, seed: number) =>
      plan.trials.find(
        (t) =>
          t.overrides["adapter.name"] === method &&
          t.overrides.preset === `glue/${task}` &&
          t.overrides["training.seed"] === seed,
      )!.config as Record<string, any>;
    const aflora = find("aflora", "mrpc", 42);
    expect(aflora.model).toBe("microsoft/deberta-v3-base");
    expect(aflora.data).toEqual({ name: "glue/mrpc" });
    expect(aflora.training).toMatchObject({
      epochs: 20,
      batchSize: 64,
      lr: 0.01,
      classifierLr: 0.08,
      maxSeqLength: 256,
      seed: 42,
    });
    expect(aflora.adapter).toEqual({ name: "aflora", r: 4 });
    expect(aflora.schedule).toMatchObject({ name: "cubic" });
    const lora = find("lora", "qnli", 46);
    expect(lora.adapter).toEqual({ name: "lora", r: 8 });
    expect(lora.training).toMatchObject({ epochs: 10, lr: 0.001, classifierLr: 0.004, seed: 46 });
    expect(find("elora", "qqp", 43).adapter).toEqual({ name: "elora", r: 1024 });
    expect(find("full", "cola", 44).adapter).toEqual({ name: "full" });
    expect(find("full", "cola", 44).training).toMatchObject({ lr: 2e-5, classifierLr: 2e-5, epochs: 20 });
    for (const task of ["cola", "sst2", "mrpc", "qnli", "stsb", "rte", "mnli", "qqp"]) {
      expect(plan.trials.filter((t) => t.overrides.preset === `glue/${task}`)).toHaveLength(20);
    }
  });

  it("names the known presets when asked for another", () => {
    expect(() => sweepFileOf(undefined, "paper-nope")).toThrow(
      '--preset: no sweep preset "paper-nope" (have: paper-glue)',
    );
  });
});
