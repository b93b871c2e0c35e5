import { PluginRegistry, type FreezeSchedule } from "@aflora/core";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";
import { decoderScheduleDefinitions } from "./definitions.js";
import { QUADRATIC_FRACTION_DEFAULTS, QuadraticFractionSchedule } from "./quadratic-fraction-schedule.js";

const ctx = (totalSteps: number) => ({ totalSteps, stepsPerEpoch: totalSteps, epochs: 1 });

describe("quadratic-fraction schedule (FORMAT.md §2.3)", () => {
  const s = new QuadraticFractionSchedule();

  it("official settings, T = 120: warm-up to 36, ramp 1 − x² masking every 10 steps, final phase from 85", () => {
    expect(s.at(36, ctx(120))).toEqual({ threshold: 1, mask: false });
    expect(s.at(37, ctx(120))).toEqual({ threshold: 1 - (1 / 48) * (1 / 48), mask: false });
    expect(s.at(40, ctx(120))).toEqual({ threshold: 1 - (4 / 48) * (4 / 48), mask: true });
    expect(s.at(84, ctx(120))).toEqual({ threshold: 0, mask: false }); // mul = 1 exactly, 84 is no multiple of 10
    expect(s.at(85, ctx(120))).toEqual({ threshold: 0, mask: true });
    expect(s.at(119, ctx(120))).toEqual({ threshold: 0, mask: true });
  });

  it("compares with the float64 products as written: 0.3·13 = 3.9000000000000004", () => {
    expect([3, 4, 9, 10].map((t) => s.at(t, ctx(13)).mask)).toEqual([false, false, false, true]);
    expect(s.at(4, ctx(13)).threshold).toBe(1 - ((4 - 0.3 * 13) / (13 - 0.6 * 13)) ** 2);
  });

  it("ignores the initial and final thresholds inside the ramp, and jumps to the final one after it", () => {
    const t = new QuadraticFractionSchedule({
      initialWarmup: 0.2,
      finalWarmup: 0.35,
      initialThreshold: 0.9,
      finalThreshold: 0.15,
      deltaT: 7,
    });
    expect(t.at(21, ctx(107))).toEqual({ threshold: 0.9, mask: false });
    expect(t.at(69, ctx(107)).threshold).toBeCloseTo(0.023, 3);
    expect(t.at(70, ctx(107))).toEqual({ threshold: 0.15, mask: true });
  });

  it("documented choice: a step inside a zero-length ramp (the reference divides by zero) is the warm-up's last step", () => {
    const t = new QuadraticFractionSchedule({
      ...QUADRATIC_FRACTION_DEFAULTS,
      initialWarmup: 0.7,
      finalWarmup: 0.3,
      deltaT: 7,
    });
    expect(0.7 * 90).toBe(62.99999999999999);
    expect(90 - (0.3 + 0.7) * 90).toBe(0);
    expect(t.at(63, ctx(90))).toEqual({ threshold: 1, mask: false, zeroLengthRamp: true });
    expect(t.at(64, ctx(90))).toEqual({ threshold: 0, mask: true });
  });
});

describe("at LLaMA-7B scale (FORMAT.md §9)", () => {
  // A/B elements of q, k, v, up, down in 32 layers, hidden 4096, intermediate 11008, r = 32.
  const N = 32 * (3 * (32 * 4096 + 4096 * 32) + 2 * (32 * 4096 + 11008 * 32));

  it("the first ramp mask step of T = 31,929 (the authors' notebook) gives k = int(0.58) = 0: the reference crashes, aflora freezes nothing", () => {
    expect(N).toBe(56_098_816);
    const s = new QuadraticFractionSchedule();
    const T = 31_929;
    expect(0.3 * T).toBeCloseTo(9578.7, 9);
    const d = s.at(9580, ctx(T));
    expect(d.mask).toBe(true);
    expect(N * (1 - d.threshold)).toBeCloseTo(0.58, 2);
    expect(Math.trunc(N * (1 - d.threshold))).toBe(0);
    expect(Math.trunc(N * (1 - s.at(9590, ctx(T)).threshold))).toBeGreaterThan(0);
  });
});

describe("quadratic-fraction as a plugin", () => {
  const registry = new PluginRegistry();
  for (const d of decoderScheduleDefinitions) registry.register(d);
  const create = (o: Record<string, unknown>) =>
    registry.create<FreezeSchedule>(
      "schedule",
      { name: "quadratic-fraction", ...o },
      container.createChildContainer(),
      "freezing.schedule",
    );

  it("defaults to the authors' commonsense config", () => {
    const s = create({}) as QuadraticFractionSchedule;
    expect(s.options).toEqual(QUADRATIC_FRACTION_DEFAULTS);
  });

  it("names the offending field", () => {
    expect(() => create({ initialWarmup: 1.5 })).toThrow(
      /^freezing\.schedule \(schedule "quadratic-fraction"\): initialWarmup: /,
    );
    expect(() => create({ initialWarmupEpochs: 1 })).toThrow(/initialWarmupEpochs: unknown option/);
    expect(() => create({ deltaT: 2.5 })).toThrow(/deltaT: /);
  });
});
