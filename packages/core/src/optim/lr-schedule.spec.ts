import { describe, expect, it } from "vitest";
import { linearScheduleWithWarmup, warmupStepsFor } from "./lr-schedule.js";

describe("linear schedule with warmup", () => {
  it("uses ceil(ratio·T) warmup steps as Hugging Face", () => {
    expect(warmupStepsFor(100, 0.06)).toBe(6);
    expect(warmupStepsFor(101, 0.06)).toBe(7); // 6.06 → 7
    expect(warmupStepsFor(10, 0)).toBe(0);
    expect(() => warmupStepsFor(10, 1.5)).toThrow(/warmupRatio/);
  });

  it("rises linearly from 0 then decays linearly to 0 (get_linear_schedule_with_warmup)", () => {
    const f = linearScheduleWithWarmup(4, 12);
    expect([0, 1, 2, 3, 4, 5, 8, 11, 12, 13].map(f)).toEqual([0, 0.25, 0.5, 0.75, 1, 7 / 8, 4 / 8, 1 / 8, 0, 0]);
    const noWarmup = linearScheduleWithWarmup(0, 4);
    expect([0, 1, 2, 3].map(noWarmup)).toEqual([1, 0.75, 0.5, 0.25]);
  });
});
