import "reflect-metadata";
import { container as rootContainer, type DependencyContainer, type InjectionToken } from "tsyringe";
import { EventBus } from "./event-bus.js";
import type { TrainableModel } from "./model.js";
import type { ParameterRegistry } from "./parameter-registry.js";
import type { PluginRegistry } from "./plugin-registry.js";
import { RunControl } from "./run-control.js";
import type { RunInfo } from "./run-info.js";
import { Tokens } from "./tokens.js";

/** Core-internal tokens: the concrete bus and control behind `Tokens.Events` and `Tokens.TrainerControl`. */
export const RunTokens = {
  EventBus: Symbol.for("aflora.EventBus") as InjectionToken<EventBus>,
  RunControl: Symbol.for("aflora.RunControl") as InjectionToken<RunControl>,
} as const;

export interface RunContainerValues {
  registry: ParameterRegistry;
  runInfo: RunInfo;
  /** Registered in the child when given; otherwise resolved from the parent, if it has one. */
  plugins?: PluginRegistry;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the model whatever its batch type
  model?: TrainableModel<any>;
}

/**
 * One child container per run, holding the run-scoped values under explicit tokens:
 * ParameterRegistry, RunInfo, Events (the run's Observable), TrainerControl, PluginRegistry
 * and Model. Plugins built with `PluginRegistry.create(kind, section, runContainer)` can inject
 * them; the Trainer given this container emits on its Events stream.
 */
export function createRunContainer(
  parent: DependencyContainer = rootContainer,
  values: RunContainerValues,
): DependencyContainer {
  const c = parent.createChildContainer();
  const bus = new EventBus();
  const control = new RunControl();
  c.register(RunTokens.EventBus, { useValue: bus });
  c.register(RunTokens.RunControl, { useValue: control });
  c.register(Tokens.Events, { useValue: bus.events });
  c.register(Tokens.TrainerControl, { useValue: control });
  c.register(Tokens.ParameterRegistry, { useValue: values.registry });
  c.register(Tokens.RunInfo, { useValue: values.runInfo });
  if (values.plugins) c.register(Tokens.PluginRegistry, { useValue: values.plugins });
  if (values.model) c.register(Tokens.Model, { useValue: values.model });
  return c;
}
