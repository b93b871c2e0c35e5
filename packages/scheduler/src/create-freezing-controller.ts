// @aflora/core first: it loads the reflect-metadata polyfill tsyringe needs at import time.
import "@aflora/core";
import { withScorerDeltaT, type FreezeSchedule, type FreezingScorer, type PluginRegistry } from "@aflora/core";
import { container as rootContainer, type DependencyContainer } from "tsyringe";
import { FreezingController, type Granularity } from "./freezing-controller.js";

type Section = { name: string } & Record<string, unknown>;

export interface FreezingConfig {
  scorer: Section;
  schedule: Section;
  granularity?: Granularity;
}

/** Checks a `{ scorer, schedule, granularity }` section; errors name the field under `field`. */
export function parseFreezingConfig(raw: unknown, field = "freezing"): FreezingConfig {
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    throw new Error(`${field}: expected an object { scorer, schedule, granularity }`);
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!["scorer", "schedule", "granularity"].includes(key))
      throw new Error(`${field}.${key}: unknown option (known: scorer, schedule, granularity)`);
  }
  const section = (key: "scorer" | "schedule", fallback: string): Section => {
    const v = o[key] ?? { name: fallback };
    if (typeof v === "string") return { name: v };
    if (!v || typeof v !== "object" || typeof (v as Section).name !== "string")
      throw new Error(`${field}.${key}: expected { name, ...options } or a name`);
    return { ...(v as Section) };
  };
  const granularity = o["granularity"] ?? "matrix";
  if (granularity !== "matrix" && granularity !== "pair")
    throw new Error(`${field}.granularity: expected "matrix" or "pair", got ${JSON.stringify(granularity)}`);
  return { scorer: section("scorer", "aflora"), schedule: section("schedule", "cubic"), granularity };
}

/**
 * Builds the controller from config through the plugin registry (scorers and schedules are
 * chosen by name). A `deltaT` (or `window`) given to the scorer only is passed on to the
 * cubic/linear schedule, so decisions fall on window boundaries as in the authors' code.
 */
export function createFreezingController(
  /** A FreezingConfig as read from a config file: validated here. */
  config: unknown,
  deps: { plugins: PluginRegistry; container?: DependencyContainer; field?: string },
): FreezingController {
  const field = deps.field ?? "freezing";
  const c = parseFreezingConfig(config, field);
  const container = deps.container ?? rootContainer.createChildContainer();
  const scorer = deps.plugins.create<FreezingScorer>("scorer", c.scorer, container, `${field}.scorer`);
  const schedule = deps.plugins.has("schedule", c.schedule.name)
    ? withScorerDeltaT(deps.plugins, c.schedule, scorer)
    : c.schedule;
  const built = deps.plugins.create<FreezeSchedule>("schedule", schedule, container, `${field}.schedule`);
  try {
    return new FreezingController({ scorer, schedule: built, granularity: c.granularity });
  } catch (e) {
    throw new Error(`${field}: ${(e as Error).message}`);
  }
}
