import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PolynomialSchedule } from "./polynomial-schedule.js";
import { pyFloorDiv } from "../exact-math.js";
import { FIXTURES, loadScenario } from "../../test/fixture-driver.js";

const index = JSON.parse(readFileSync(new URL("index.json", FIXTURES), "utf8")) as { scenarios: { file: string }[] };

function scheduleOf(file: string, override: Partial<{ finalWarmupEpochs: number | undefined }> = {}) {
  const s = loadScenario(file);
  const c = s.config;
  const schedule = new PolynomialSchedule("cubic", 3, {
    initialThreshold: c.initial_threshold,
    finalThreshold: c.final_threshold,
    initialWarmupEpochs: c.initial_warmup,
    finalWarmupEpochs: c.final_warmup,
    deltaT: c.deltaT,
    ...override,
  });
  const ctx = {
    totalSteps: c.total_step,
    epochs: c.num_train_epochs,
    stepsPerEpoch: pyFloorDiv(c.total_step, c.num_train_epochs),
  };
  return { s, schedule, ctx };
}

describe("cubic schedule (FORMAT.md §2.3)", () => {
  it.each(index.scenarios.map((x) => x.file))(
    "gives the reference's threshold (bit-exact) and mask flag at every step of %s",
    (file) => {
      const { s, schedule, ctx } = scheduleOf(file);
      for (const step of s.steps) {
        const d = schedule.at(step.global_step, ctx);
        expect(d.threshold, `step ${step.global_step}`).toBe(step.expected.threshold);
        expect(d.mask, `step ${step.global_step}`).toBe(step.expected.mask_ind);
      }
    },
  );

  it("counts warm-ups in epochs of W = T // epochs steps, masks every ΔT steps, then every step", () => {
    const { schedule, ctx } = scheduleOf("mrpc_defaults.json"); // T 200, 20 epochs, warm-ups 1 / 14, ΔT 10
    expect(schedule.at(10, ctx)).toEqual({ threshold: 1, mask: false }); // t ≤ 1·W
    expect(schedule.at(11, ctx).mask).toBe(false); // cubic phase, not a multiple of ΔT
    expect(schedule.at(20, ctx)).toEqual({ threshold: 0.5120000000000001, mask: true }); // (1 − 10/50)³
    expect(schedule.at(60, ctx)).toEqual({ threshold: 0, mask: true }); // mul = 0 at the end of the cubic phase
    expect(schedule.at(61, ctx)).toEqual({ threshold: 0, mask: true }); // final phase: every step
  });

  it("defaults the final warm-up to 70 % of the epochs (the authors' 14 of 20 and 7 of 10)", () => {
    for (const file of ["mrpc_defaults.json", "sst2_defaults_final_phase.json"]) {
      const explicit = scheduleOf(file);
      const defaulted = scheduleOf(file, { finalWarmupEpochs: undefined });
      for (const step of explicit.s.steps)
        expect(defaulted.schedule.at(step.global_step, defaulted.ctx)).toEqual(
          explicit.schedule.at(step.global_step, explicit.ctx),
        );
    }
  });

  it("needs the correctly rounded cube: Math.pow would miss some reference thresholds", () => {
    let missed = 0;
    for (const { file } of index.scenarios) {
      const { s } = scheduleOf(file);
      const c = s.config;
      const W = pyFloorDiv(c.total_step, c.num_train_epochs);
      for (const step of s.steps) {
        const t = step.global_step;
        if (t <= c.initial_warmup * W || t > c.total_step - c.final_warmup * W) continue;
        const mul = 1 - (t - c.initial_warmup * W) / (c.total_step - (c.final_warmup + c.initial_warmup) * W);
        if (
          c.final_threshold + (c.initial_threshold - c.final_threshold) * Math.pow(mul, 3) !==
          step.expected.threshold
        )
          missed++;
      }
    }
    expect(missed).toBeGreaterThan(0);
  });
});
