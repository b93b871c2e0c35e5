import type { InjectionToken } from "tsyringe";
import type { Observable } from "rxjs";
import type { TrainerEvent } from "./events.js";
import type { ParameterRegistry } from "./parameter-registry.js";
import type { PluginRegistry } from "./plugin-registry.js";
import type { TrainableModel } from "./model.js";
import type { Tokenizer } from "./tokenizer.js";
import type { TrainerControl, TrainerPlugin } from "./trainer-plugin.js";
import type { FreezingScorer, FreezeSchedule } from "./freezing.js";
import type { RunInfo } from "./run-info.js";
import type { RunConfig } from "./compose/run-config.js";

/**
 * Explicit injection tokens: aflora never resolves by type (esbuild/vitest emit no
 * decorator metadata). One child container per run holds the run-scoped values.
 */
export const Tokens = {
  /** The process-wide registry of named plugin implementations. */
  PluginRegistry: Symbol.for("aflora.PluginRegistry") as InjectionToken<PluginRegistry>,
  /** The run's parameters (run-scoped). */
  ParameterRegistry: Symbol.for("aflora.ParameterRegistry") as InjectionToken<ParameterRegistry>,
  /** The run's event stream (run-scoped). */
  Events: Symbol.for("aflora.Events") as InjectionToken<Observable<TrainerEvent>>,
  /** Steering channel for plugins: stop early, ask for a checkpoint (run-scoped). */
  TrainerControl: Symbol.for("aflora.TrainerControl") as InjectionToken<TrainerControl>,
  /** Facts about the run: total steps, steps per epoch, epochs, seed, output folder (run-scoped). */
  RunInfo: Symbol.for("aflora.RunInfo") as InjectionToken<RunInfo>,
  /** The validated run config (run-scoped). */
  RunConfig: Symbol.for("aflora.RunConfig") as InjectionToken<RunConfig>,
  Model: Symbol.for("aflora.Model") as InjectionToken<TrainableModel>,
  Tokenizer: Symbol.for("aflora.Tokenizer") as InjectionToken<Tokenizer>,
  Scorer: Symbol.for("aflora.Scorer") as InjectionToken<FreezingScorer>,
  FreezeSchedule: Symbol.for("aflora.FreezeSchedule") as InjectionToken<FreezeSchedule>,
  /** Every plugin attached to the run (multi-registration). */
  Plugin: Symbol.for("aflora.Plugin") as InjectionToken<TrainerPlugin>,
} as const;
