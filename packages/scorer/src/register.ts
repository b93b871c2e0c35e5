import { checkNumber, readDeltaT, readNumber, rejectUnknownKeys, Tokens, type FreezingScorer, type PluginDefinition, type PluginRegistry } from "@aflora/core";
import type { DependencyContainer } from "tsyringe";
import { AFLORA_DEFAULTS, AfloraScorer, type SmoothedScorerOptions } from "./aflora-scorer.js";
import { GradNormScorer, type GradNormScorerOptions } from "./grad-norm-scorer.js";
import { MagnitudeScorer } from "./magnitude-scorer.js";
import { RandomScorer } from "./random-scorer.js";
import { SensitivityScorer } from "./sensitivity-scorer.js";
import { uncertaintyMode } from "./windowed-ema.js";

const PACKAGE = "@aflora/scorer";

function parseSmoothed(options: Record<string, unknown>): SmoothedScorerOptions {
  rejectUnknownKeys(options, ["beta1", "beta2", "deltaT", "window"]);
  const beta1 = readNumber(options, "beta1", AFLORA_DEFAULTS.beta1, { min: 0, max: 1, maxExclusive: true });
  const beta2 = readNumber(options, "beta2", AFLORA_DEFAULTS.beta2);
  uncertaintyMode(beta2); // refuses beta2 == 2 here, when the config is read
  return { beta1, beta2, deltaT: readDeltaT(options, AFLORA_DEFAULTS.deltaT) };
}

function parseGradNorm(options: Record<string, unknown>): GradNormScorerOptions {
  rejectUnknownKeys(options, ["beta1", "deltaT", "window"]);
  return {
    beta1: readNumber(options, "beta1", AFLORA_DEFAULTS.beta1, { min: 0, max: 1, maxExclusive: true }),
    deltaT: readDeltaT(options, AFLORA_DEFAULTS.deltaT),
  };
}

/** Every scorer aflora ships, by the name a run config selects it with. */
export const scorerDefinitions = {
  aflora: {
    kind: "scorer",
    name: "aflora",
    description: "AFLoRA (default): |sign(θ)·∇θ| averaged over ΔT-step windows, EMA β1, uncertainty β2; element score Ī⊙Ū.",
    package: PACKAGE,
    parse: parseSmoothed,
    create: (o: SmoothedScorerOptions) => new AfloraScorer(o),
  },
  sensitivity: {
    kind: "scorer",
    name: "sensitivity",
    description: "AdaLoRA/PLATON |θ·∇θ| with the same window smoothing and uncertainty.",
    package: PACKAGE,
    parse: parseSmoothed,
    create: (o: SmoothedScorerOptions) => new SensitivityScorer(o),
  },
  magnitude: {
    kind: "scorer",
    name: "magnitude",
    description: "Weight magnitude |θ| at the latest step (the authors' Magnitude mode).",
    package: PACKAGE,
    parse: (options: Record<string, unknown>) => {
      rejectUnknownKeys(options, []);
      return {};
    },
    create: () => new MagnitudeScorer(),
  },
  "grad-norm": {
    kind: "scorer",
    name: "grad-norm",
    description: "Window-averaged, EMA-smoothed squared gradient (mean squared gradient per matrix), no uncertainty.",
    package: PACKAGE,
    parse: parseGradNorm,
    create: (o: GradNormScorerOptions) => new GradNormScorer(o),
  },
  random: {
    kind: "scorer",
    name: "random",
    description: "Seeded random matrix ranking (one uniform draw per matrix and decision).",
    package: PACKAGE,
    parse: (options: Record<string, unknown>) => {
      rejectUnknownKeys(options, ["seed"]);
      return { seed: options["seed"] === undefined ? undefined : checkNumber("seed", options["seed"], { min: 0, integer: true }) };
    },
    create: (o: { seed?: number }, container: DependencyContainer) => new RandomScorer(o.seed ?? runSeed(container)),
  },
} satisfies Record<string, PluginDefinition<FreezingScorer, any>>;

export type ScorerName = keyof typeof scorerDefinitions;

function runSeed(container: DependencyContainer): number {
  return container.isRegistered(Tokens.RunInfo, true) ? container.resolve(Tokens.RunInfo).seed : 0;
}

/** Registers every scorer under kind "scorer". */
export function registerScorers(registry: PluginRegistry): PluginRegistry {
  for (const def of Object.values(scorerDefinitions)) registry.register<FreezingScorer, any>(def as PluginDefinition<FreezingScorer, any>);
  return registry;
}
