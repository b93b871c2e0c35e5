import {
  deltaTAgrees,
  deltaTOf,
  deltaTShape,
  definePlugin,
  FREEZING_PLUGIN,
  Tokens,
  type FreezeSchedule,
  type PluginRegistry,
  type TrainerPlugin,
} from "@aflora/core";
import { z } from "zod";
import { FreezingController } from "./freezing-controller.js";
import { DecoderFreezingController } from "./decoder/decoder-freezing-controller.js";
import { decoderScheduleDefinitions } from "./decoder/definitions.js";
import { QuadraticFractionSchedule } from "./decoder/quadratic-fraction-schedule.js";
import { AtEpochSchedule } from "./schedules/at-epoch-schedule.js";
import { FromStartSchedule } from "./schedules/from-start-schedule.js";
import { NeverSchedule } from "./schedules/never-schedule.js";
import { CUBIC_DEFAULTS, PolynomialSchedule, type PolynomialScheduleOptions } from "./schedules/polynomial-schedule.js";

const PACKAGE = "@aflora/scheduler";

const polynomialOptions = z
  .object({
    initialThreshold: z
      .number()
      .min(0)
      .max(1)
      .default(CUBIC_DEFAULTS.initialThreshold)
      .describe("remaining ratio before the ramp"),
    finalThreshold: z
      .number()
      .min(0)
      .max(1)
      .default(CUBIC_DEFAULTS.finalThreshold)
      .describe("remaining ratio after the ramp"),
    initialWarmupEpochs: z
      .number()
      .min(0)
      .default(CUBIC_DEFAULTS.initialWarmupEpochs)
      .describe("epochs before freezing starts (t_i)"),
    finalWarmupEpochs: z
      .number()
      .min(0)
      .optional()
      .describe("epochs at the end with the final ratio (t_f; default: the authors' rule)"),
    ...deltaTShape,
  })
  .strict()
  .superRefine(deltaTAgrees);

const polynomial = (o: z.output<typeof polynomialOptions>): PolynomialScheduleOptions => ({
  initialThreshold: o.initialThreshold,
  finalThreshold: o.finalThreshold,
  initialWarmupEpochs: o.initialWarmupEpochs,
  finalWarmupEpochs: o.finalWarmupEpochs,
  deltaT: deltaTOf(o, CUBIC_DEFAULTS.deltaT),
});

const noOptions = z.object({}).strict();

/** Every freezing schedule aflora ships, by the name a run config selects it with. */
export const scheduleDefinitions = {
  cubic: definePlugin({
    kind: "schedule",
    name: "cubic",
    description:
      "AFLoRA (default): remaining ratio 1 → 0 along a cubic between warm-ups counted in epochs; decisions every ΔT steps, then every step.",
    package: PACKAGE,
    options: polynomialOptions,
    create: (o): FreezeSchedule => new PolynomialSchedule("cubic", 3, polynomial(o)),
  }),
  linear: definePlugin({
    kind: "schedule",
    name: "linear",
    description: "Like cubic with a linear remaining ratio.",
    package: PACKAGE,
    options: polynomialOptions,
    create: (o): FreezeSchedule => new PolynomialSchedule("linear", 1, polynomial(o)),
  }),
  "at-epoch": definePlugin({
    kind: "schedule",
    name: "at-epoch",
    description:
      "Freeze every projection matrix at the end of epoch N (N < 1: that fraction of the epochs), the authors' freeze_by_epoch.",
    package: PACKAGE,
    options: z
      .object({
        epoch: z
          .number()
          .positive()
          .describe("the epoch after which every projection matrix freezes; < 1 means a fraction of the epochs"),
      })
      .strict(),
    create: (o): FreezeSchedule => new AtEpochSchedule(o.epoch),
  }),
  never: definePlugin({
    kind: "schedule",
    name: "never",
    description: "Projection matrices stay trainable throughout.",
    package: PACKAGE,
    options: noOptions,
    create: (): FreezeSchedule => new NeverSchedule(),
  }),
  "from-start": definePlugin({
    kind: "schedule",
    name: "from-start",
    description: "Projection matrices frozen before the first step (ELoRA-like).",
    package: PACKAGE,
    options: noOptions,
    create: (): FreezeSchedule => new FromStartSchedule(),
  }),
};

export type ScheduleName = keyof typeof scheduleDefinitions;

/**
 * The freezing controller as a run plugin. Its scorer and schedule come from the run container
 * (`Tokens.Scorer`, `Tokens.FreezeSchedule`): the composition root registers those from the
 * config's `scorer` and `schedule`, unless the caller registered its own.
 */
export const freezingPluginDefinition = definePlugin({
  kind: "plugin",
  name: FREEZING_PLUGIN,
  description:
    "Scores projection matrices and freezes them on a schedule (AFLoRA); attached to runs whose adapter freezes.",
  package: PACKAGE,
  options: z
    .object({
      granularity: z
        .enum(["matrix", "pair"])
        .default("matrix")
        .describe("freeze A and B one at a time (the authors') or as a pair"),
    })
    .strict(),
  create: (o, container): TrainerPlugin => {
    const scorer = container.resolve(Tokens.Scorer);
    const schedule = container.resolve(Tokens.FreezeSchedule);
    // The decoder variant decides before the optimizer step, A and B on their own: its schedule brings its controller.
    if (schedule instanceof QuadraticFractionSchedule) return new DecoderFreezingController(scorer, schedule);
    return new FreezingController({ scorer, schedule, granularity: o.granularity });
  },
});

/** Registers every schedule (kind "schedule") and the adaptive-freezing plugin (kind "plugin"). */
export function register(registry: PluginRegistry): PluginRegistry {
  for (const def of Object.values(scheduleDefinitions)) registry.register(def);
  registry.register(freezingPluginDefinition);
  for (const def of decoderScheduleDefinitions) registry.register(def);
  return registry;
}

/** @deprecated use `register`. */
export const registerSchedules = register;
