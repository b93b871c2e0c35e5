import {
  deltaTAgrees,
  deltaTOf,
  deltaTShape,
  definePlugin,
  Tokens,
  type FreezingScorer,
  type PluginRegistry,
} from "@aflora/core";
import type { DependencyContainer } from "tsyringe";
import { z } from "zod";
import { AFLORA_DEFAULTS, AfloraScorer } from "./aflora-scorer.js";
import { GradNormScorer } from "./grad-norm-scorer.js";
import { MagnitudeScorer } from "./magnitude-scorer.js";
import { RandomScorer } from "./random-scorer.js";
import { SensitivityScorer } from "./sensitivity-scorer.js";
import { uncertaintyMode } from "./windowed-ema.js";
import { decoderScorerDefinitions } from "./decoder/definitions.js";

const PACKAGE = "@aflora/scorer";

const beta1 = z
  .number()
  .min(0)
  .lt(1)
  .default(AFLORA_DEFAULTS.beta1)
  .describe("EMA factor β1 of the smoothed sensitivity (the authors: 0.85)");

const smoothedOptions = z
  .object({
    beta1,
    beta2: z
      .number()
      .finite()
      .default(AFLORA_DEFAULTS.beta2)
      .describe("uncertainty factor β2 (the authors: 0.95); 1, ≤ 0 and 2 select the authors' special branches"),
    ...deltaTShape,
  })
  .strict()
  .superRefine((o, ctx) => {
    deltaTAgrees(o, ctx);
    try {
      uncertaintyMode(o.beta2);
    } catch (e) {
      ctx.addIssue({ code: "custom", path: ["beta2"], message: (e as Error).message.replace(/^beta2: /, "") });
    }
  });

const smoothed = (o: z.output<typeof smoothedOptions>) => ({
  beta1: o.beta1,
  beta2: o.beta2,
  deltaT: deltaTOf(o, AFLORA_DEFAULTS.deltaT),
});

function runSeed(container: DependencyContainer): number {
  return container.isRegistered(Tokens.RunInfo, true) ? container.resolve(Tokens.RunInfo).seed : 0;
}

/** Every scorer aflora ships, by the name a run config selects it with. */
export const scorerDefinitions = {
  aflora: definePlugin({
    kind: "scorer",
    name: "aflora",
    description:
      "AFLoRA (default): |sign(θ)·∇θ| averaged over ΔT-step windows, EMA β1, uncertainty β2; element score Ī⊙Ū.",
    package: PACKAGE,
    options: smoothedOptions,
    create: (o): FreezingScorer => new AfloraScorer(smoothed(o)),
  }),
  sensitivity: definePlugin({
    kind: "scorer",
    name: "sensitivity",
    description: "AdaLoRA/PLATON |θ·∇θ| with the same window smoothing and uncertainty.",
    package: PACKAGE,
    options: smoothedOptions,
    create: (o): FreezingScorer => new SensitivityScorer(smoothed(o)),
  }),
  magnitude: definePlugin({
    kind: "scorer",
    name: "magnitude",
    description: "Weight magnitude |θ| at the latest step (the authors' Magnitude mode).",
    package: PACKAGE,
    options: z.object({}).strict(),
    create: (): FreezingScorer => new MagnitudeScorer(),
  }),
  "grad-norm": definePlugin({
    kind: "scorer",
    name: "grad-norm",
    description: "Window-averaged, EMA-smoothed squared gradient (mean squared gradient per matrix), no uncertainty.",
    package: PACKAGE,
    options: z
      .object({ beta1, ...deltaTShape })
      .strict()
      .superRefine(deltaTAgrees),
    create: (o): FreezingScorer => new GradNormScorer({ beta1: o.beta1, deltaT: deltaTOf(o, AFLORA_DEFAULTS.deltaT) }),
  }),
  random: definePlugin({
    kind: "scorer",
    name: "random",
    description: "Seeded random matrix ranking (one uniform draw per matrix and decision).",
    package: PACKAGE,
    options: z
      .object({ seed: z.number().int().min(0).optional().describe("seed of the draws (default: the run's seed)") })
      .strict(),
    create: (o, container): FreezingScorer => new RandomScorer(o.seed ?? runSeed(container)),
  }),
};

export type ScorerName = keyof typeof scorerDefinitions;

/** Registers every scorer under kind "scorer". */
export function register(registry: PluginRegistry): PluginRegistry {
  for (const def of [...Object.values(scorerDefinitions), ...decoderScorerDefinitions]) registry.register(def);
  return registry;
}

/** @deprecated use `register`. */
export const registerScorers = register;
