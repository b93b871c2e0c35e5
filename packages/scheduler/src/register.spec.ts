import { existsSync, readFileSync } from "node:fs";
import { PluginRegistry, Tokens, type FreezeSchedule } from "@aflora/core";
import { registerScorers } from "@aflora/scorer";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";
import { createFreezingController, parseFreezingConfig } from "./create-freezing-controller.js";
import { FreezingController } from "./freezing-controller.js";
import { registerSchedules, scheduleDefinitions } from "./register.js";
import { PolynomialSchedule } from "./schedules/polynomial-schedule.js";

const plugins = registerSchedules(registerScorers(new PluginRegistry()));
const schedule = (section: { name: string } & Record<string, unknown>) =>
  plugins.create<FreezeSchedule>("schedule", section, container.createChildContainer(), "freezing.schedule");

describe("registerSchedules", () => {
  it("registers every schedule (kind schedule) and the adaptive-freezing plugin (kind plugin)", () => {
    expect(plugins.names("schedule")).toEqual([
      "at-epoch",
      "cubic",
      "from-start",
      "linear",
      "never",
      "quadratic-fraction",
    ]);
    expect(plugins.names("plugin")).toEqual(["adaptive-freezing", "adaptive-freezing-decoder"]);
    const cubic = schedule({ name: "cubic", initialWarmupEpochs: 1, finalWarmupEpochs: 14 }) as PolynomialSchedule;
    expect(cubic.options).toEqual({
      initialThreshold: 1,
      finalThreshold: 0,
      initialWarmupEpochs: 1,
      finalWarmupEpochs: 14,
      deltaT: 10,
    });
  });

  it("gives one clear error per bad option", () => {
    expect(() => schedule({ name: "cubic", finalThreshold: 1.5 })).toThrow(
      'freezing.schedule (schedule "cubic"): finalThreshold: Too big: expected number to be <=1, got 1.5',
    );
    expect(() => schedule({ name: "cubic", initialWarmup: 1 })).toThrow(
      'freezing.schedule (schedule "cubic"): initialWarmup: unknown option',
    );
    expect(() => schedule({ name: "at-epoch" })).toThrow(/epoch: Invalid input: expected number, received undefined/);
    expect(() => schedule({ name: "at-epoch", epoch: 0 })).toThrow(/epoch: Too small: expected number to be >0, got 0/);
    expect(() => schedule({ name: "never", epoch: 1 })).toThrow(/epoch: unknown option/);
    expect(() => schedule({ name: "exponential" })).toThrow(
      'Unknown schedule "exponential". Known schedule names: at-epoch, cubic, from-start, linear, never, quadratic-fraction.',
    );
  });
});

describe("createFreezingController", () => {
  it("builds scorer and schedule by name; the schedule follows the scorer's deltaT", () => {
    const c = createFreezingController(
      { scorer: { name: "aflora", deltaT: 5 }, schedule: { name: "cubic" } },
      { plugins },
    );
    expect(c).toBeInstanceOf(FreezingController);
    expect(c.scorer.deltaT).toBe(5);
    expect(c.schedule.deltaT).toBe(5);
    expect(c.granularity).toBe("matrix");
    const defaults = createFreezingController({}, { plugins });
    expect([defaults.scorer.name, defaults.schedule.name]).toEqual(["aflora", "cubic"]);
    expect(
      createFreezingController({ scorer: "magnitude", schedule: "never", granularity: "pair" }, { plugins })
        .granularity,
    ).toBe("pair");
  });

  it("names the config field of every error", () => {
    expect(() =>
      createFreezingController({ scorer: { name: "aflora", beta2: 2 }, schedule: { name: "cubic" } }, { plugins }),
    ).toThrow(/^freezing\.scorer \(scorer "aflora"\): beta2: .*2/);
    expect(() =>
      createFreezingController(
        { scorer: { name: "aflora", deltaT: 10 }, schedule: { name: "cubic", deltaT: 5 } },
        { plugins },
      ),
    ).toThrow("freezing: adaptive freezing: schedule.deltaT (5) differs from scorer.deltaT (10)");
    expect(() => parseFreezingConfig({ granularity: "layer" })).toThrow(
      'freezing.granularity: expected "matrix" or "pair", got "layer"',
    );
    expect(() => parseFreezingConfig({ scorers: {} }, "run.freezing")).toThrow(
      "run.freezing.scorers: unknown option (known: scorer, schedule, granularity)",
    );
    expect(() => parseFreezingConfig({ scorer: { beta1: 0.8 } })).toThrow(
      "freezing.scorer: expected { name, ...options } or a name",
    );
  });

  it("is available as the run plugin adaptive-freezing, taking its scorer and schedule from the container's tokens", () => {
    const c = container.createChildContainer();
    c.register(Tokens.Scorer, { useValue: plugins.create("scorer", { name: "sensitivity" }, c) });
    c.register(Tokens.FreezeSchedule, { useValue: plugins.create("schedule", { name: "linear" }, c) });
    const plugin = plugins.create("plugin", { name: "adaptive-freezing" }, c);
    expect(plugin).toBeInstanceOf(FreezingController);
    expect((plugin as FreezingController).scorer.name).toBe("sensitivity");
    expect((plugin as FreezingController).stateKey).toBe("freezing");
  });

  // typescript-eslint style: every registered schedule has its own tests and a README entry.
  describe.each(Object.keys(scheduleDefinitions))("schedule %s", (name) => {
    it("has a spec file and a README section", () => {
      expect(
        existsSync(new URL(`./schedules/${name}-schedule.spec.ts`, import.meta.url)),
        `src/schedules/${name}-schedule.spec.ts`,
      ).toBe(true);
      const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
      expect(readme).toContain(`### \`${name}\``);
    });
  });
});
