import { describe, expect, it } from "vitest";
import { PolynomialSchedule } from "./polynomial-schedule.js";

describe("linear schedule", () => {
  // T = 100 over 10 epochs → W = 10; warm-ups 1 and 3 epochs → main phase (10, 70], 60 steps long.
  const schedule = new PolynomialSchedule("linear", 1, {
    initialThreshold: 1,
    finalThreshold: 0.2,
    initialWarmupEpochs: 1,
    finalWarmupEpochs: 3,
    deltaT: 10,
  });
  const ctx = { totalSteps: 100, epochs: 10, stepsPerEpoch: 10 };

  it("falls linearly from the initial to the final remaining ratio between the warm-ups", () => {
    expect(schedule.at(10, ctx)).toEqual({ threshold: 1, mask: false });
    expect(schedule.at(40, ctx)).toEqual({ threshold: 0.2 + 0.8 * 0.5, mask: true }); // mul = 1 − 30/60
    expect(schedule.at(25, ctx)).toEqual({ threshold: 0.2 + 0.8 * 0.75, mask: false });
    expect(schedule.at(70, ctx)).toEqual({ threshold: 0.2, mask: true });
    expect(schedule.at(71, ctx)).toEqual({ threshold: 0.2, mask: true });
    expect(schedule.deltaT).toBe(10);
  });

  it("stays above the cubic schedule inside the main phase (it freezes later)", () => {
    const cubic = new PolynomialSchedule("cubic", 3, { ...schedule.options });
    for (let t = 11; t < 70; t++) expect(schedule.at(t, ctx).threshold).toBeGreaterThan(cubic.at(t, ctx).threshold);
  });
});
