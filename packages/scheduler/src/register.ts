import { readDeltaT, readNumber, rejectUnknownKeys, Tokens, type FreezeSchedule, type PluginDefinition, type PluginRegistry, type TrainerPlugin } from "@aflora/core";
import type { DependencyContainer } from "tsyringe";
import { createFreezingController, parseFreezingConfig, type FreezingConfig } from "./create-freezing-controller.js";
import { AtEpochSchedule } from "./schedules/at-epoch-schedule.js";
import { FromStartSchedule } from "./schedules/from-start-schedule.js";
import { NeverSchedule } from "./schedules/never-schedule.js";
import { CUBIC_DEFAULTS, PolynomialSchedule, type PolynomialScheduleOptions } from "./schedules/polynomial-schedule.js";

const PACKAGE = "@aflora/scheduler";

function parsePolynomial(options: Record<string, unknown>): PolynomialScheduleOptions {
  rejectUnknownKeys(options, ["initialThreshold", "finalThreshold", "initialWarmupEpochs", "finalWarmupEpochs", "deltaT", "window"]);
  const unit = { min: 0, max: 1 };
  const epochs = { min: 0 };
  return {
    initialThreshold: readNumber(options, "initialThreshold", CUBIC_DEFAULTS.initialThreshold, unit),
    finalThreshold: readNumber(options, "finalThreshold", CUBIC_DEFAULTS.finalThreshold, unit),
    initialWarmupEpochs: readNumber(options, "initialWarmupEpochs", CUBIC_DEFAULTS.initialWarmupEpochs, epochs),
    finalWarmupEpochs: options["finalWarmupEpochs"] === undefined ? undefined : readNumber(options, "finalWarmupEpochs", 0, epochs),
    deltaT: readDeltaT(options, CUBIC_DEFAULTS.deltaT),
  };
}

function noOptions(options: Record<string, unknown>): Record<string, never> {
  rejectUnknownKeys(options, []);
  return {};
}

/** Every freezing schedule aflora ships, by the name a run config selects it with. */
export const scheduleDefinitions = {
  cubic: {
    kind: "schedule",
    name: "cubic",
    description: "AFLoRA (default): remaining ratio 1 → 0 along a cubic between warm-ups counted in epochs; decisions every ΔT steps, then every step.",
    package: PACKAGE,
    parse: parsePolynomial,
    create: (o: PolynomialScheduleOptions) => new PolynomialSchedule("cubic", 3, o),
  },
  linear: {
    kind: "schedule",
    name: "linear",
    description: "Like cubic with a linear remaining ratio.",
    package: PACKAGE,
    parse: parsePolynomial,
    create: (o: PolynomialScheduleOptions) => new PolynomialSchedule("linear", 1, o),
  },
  "at-epoch": {
    kind: "schedule",
    name: "at-epoch",
    description: "Freeze every projection matrix at the end of epoch N (N < 1: that fraction of the epochs), the authors' freeze_by_epoch.",
    package: PACKAGE,
    parse: (options: Record<string, unknown>) => {
      rejectUnknownKeys(options, ["epoch"]);
      if (options["epoch"] === undefined) throw new Error("epoch: required (the epoch after which every projection matrix freezes; < 1 means a fraction of the epochs)");
      return { epoch: readNumber(options, "epoch", 0, { min: 0, minExclusive: true }) };
    },
    create: (o: { epoch: number }) => new AtEpochSchedule(o.epoch),
  },
  never: {
    kind: "schedule",
    name: "never",
    description: "Projection matrices stay trainable throughout.",
    package: PACKAGE,
    parse: noOptions,
    create: () => new NeverSchedule(),
  },
  "from-start": {
    kind: "schedule",
    name: "from-start",
    description: "Projection matrices frozen before the first step (ELoRA-like).",
    package: PACKAGE,
    parse: noOptions,
    create: () => new FromStartSchedule(),
  },
} satisfies Record<string, PluginDefinition<FreezeSchedule, any>>;

export type ScheduleName = keyof typeof scheduleDefinitions;

/** The controller as a run plugin: `{ "name": "adaptive-freezing", "scorer": {...}, "schedule": {...}, "granularity": "matrix" }`. */
export const freezingPluginDefinition: PluginDefinition<TrainerPlugin, FreezingConfig> = {
  kind: "plugin",
  name: "adaptive-freezing",
  description: "Scores projection matrices and freezes them on a schedule (AFLoRA).",
  package: PACKAGE,
  parse: (options) => parseFreezingConfig(options),
  create: (config: FreezingConfig, container: DependencyContainer) =>
    createFreezingController(config, { plugins: container.resolve(Tokens.PluginRegistry), container }),
};

/** Registers every schedule (kind "schedule") and the adaptive-freezing plugin (kind "plugin"). */
export function registerSchedules(registry: PluginRegistry): PluginRegistry {
  for (const def of Object.values(scheduleDefinitions)) registry.register<FreezeSchedule, any>(def as PluginDefinition<FreezeSchedule, any>);
  registry.register(freezingPluginDefinition);
  return registry;
}
