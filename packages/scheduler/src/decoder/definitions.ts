import {
  definePlugin,
  Tokens,
  type FreezeSchedule,
  type FreezingScorer,
  type PluginDefinition,
  type PluginRegistry,
  type TrainerPlugin,
} from "@aflora/core";
import { container as rootContainer, type DependencyContainer } from "tsyringe";
import { z } from "zod";
import { DecoderFreezingController } from "./decoder-freezing-controller.js";
import { QUADRATIC_FRACTION_DEFAULTS, QuadraticFractionSchedule } from "./quadratic-fraction-schedule.js";

const PACKAGE = "@aflora/scheduler";
const q = QUADRATIC_FRACTION_DEFAULTS;

const fraction = (what: string, fallback: number) => z.number().min(0).max(1).default(fallback).describe(what);

/** The decoder variant's schedule by name ("quadratic-fraction"). */
export const quadraticFractionScheduleDefinition = definePlugin({
  kind: "schedule",
  name: "quadratic-fraction",
  description:
    "AFLoRA on decoders (the authors' LLaMA code): warm-ups as fractions of the total steps, remaining ratio 1 − x² in the ramp, decisions every ΔT steps, then every step.",
  package: PACKAGE,
  options: z
    .object({
      initialWarmup: fraction("fraction of the total steps before the ramp (authors: 0.3)", q.initialWarmup),
      finalWarmup: fraction(
        "fraction of the total steps in the final phase, which decides every step (authors: 0.3)",
        q.finalWarmup,
      ),
      initialThreshold: z
        .number()
        .default(q.initialThreshold)
        .describe("remaining ratio reported during the warm-up (authors: 1; the ramp ignores it)"),
      finalThreshold: fraction(
        "remaining ratio of the final phase (authors: 0; the ramp ignores it)",
        q.finalThreshold,
      ),
      deltaT: z
        .number()
        .int()
        .min(1)
        .optional()
        .describe("steps between ramp decisions; default: the scorer's window (authors: 10)"),
    })
    .strict(),
  create: (o): FreezeSchedule => new QuadraticFractionSchedule({ ...o, deltaT: o.deltaT ?? q.deltaT }),
});

const section = (fallback: string, what: string) =>
  z
    .union([
      z
        .string()
        .min(1)
        .transform((name) => ({ name })),
      z.looseObject({ name: z.string().min(1) }),
    ])
    .default({ name: fallback })
    .describe(what);

/** Options of the "adaptive-freezing-decoder" plugin. */
export const decoderFreezingOptions = z
  .object({
    scorer: section("aflora-decoder", 'scorer section { name, ...options } or a name (default "aflora-decoder")'),
    schedule: section(
      "quadratic-fraction",
      'schedule section { name, ...options } or a name (default "quadratic-fraction")',
    ),
  })
  .strict();

export type DecoderFreezingConfig = z.input<typeof decoderFreezingOptions>;

/**
 * Builds the decoder controller from its config through the plugin registry. A schedule
 * without `deltaT` takes the scorer's, so decisions fall on window starts as in the authors' code.
 */
export function createDecoderFreezingController(
  config: DecoderFreezingConfig | undefined,
  deps: { plugins: PluginRegistry; container?: DependencyContainer; field?: string },
): DecoderFreezingController {
  const field = deps.field ?? "freezing";
  const parsed = decoderFreezingOptions.safeParse(config ?? {});
  if (!parsed.success)
    throw new Error(
      `${field}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(options)"}: ${i.message}`).join("; ")}`,
    );
  const container = deps.container ?? rootContainer.createChildContainer();
  const scorer = deps.plugins.create<FreezingScorer>("scorer", parsed.data.scorer, container, `${field}.scorer`);
  const schedule: { name: string } & Record<string, unknown> = { ...parsed.data.schedule };
  if (scorer.deltaT !== undefined && schedule["deltaT"] === undefined && schedule.name === "quadratic-fraction")
    schedule["deltaT"] = scorer.deltaT;
  const built = deps.plugins.create<FreezeSchedule>("schedule", schedule, container, `${field}.schedule`);
  try {
    return new DecoderFreezingController(scorer, built);
  } catch (e) {
    throw new Error(`${field}: ${(e as Error).message}`);
  }
}

/** The controller as a run plugin: `{ "name": "adaptive-freezing-decoder", "scorer": {...}, "schedule": {...} }`. */
export const decoderFreezingPluginDefinition = definePlugin({
  kind: "plugin",
  name: "adaptive-freezing-decoder",
  description:
    "AFLoRA's freezing as the authors run it on LLaMA: decided after backward and before the update (a frozen matrix gets no update that step), A and B independently.",
  package: PACKAGE,
  options: decoderFreezingOptions,
  create: (o, container): TrainerPlugin =>
    createDecoderFreezingController(o, { plugins: container.resolve(Tokens.PluginRegistry), container }),
});

/** Every decoder-variant definition of this package (schedule and plugin), for `register(registry)`. */
/* eslint-disable @typescript-eslint/no-explicit-any -- a list of definitions with different options types */
export const decoderScheduleDefinitions: readonly PluginDefinition<unknown, any>[] = [
  quadraticFractionScheduleDefinition as PluginDefinition<unknown, any>,
  decoderFreezingPluginDefinition as PluginDefinition<unknown, any>,
];
/* eslint-enable @typescript-eslint/no-explicit-any */
