import { PluginRegistry, registerLossLogger } from "@aflora/core";
import { registerAdapters } from "@aflora/adapter";
import { registerScorers } from "@aflora/scorer";
import { registerSchedules } from "@aflora/scheduler";
import { registerTasks } from "@aflora/glue-data";

/** The registry a run config is resolved against: every package registers its named implementations. */
export function createPluginRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  registerAdapters(registry);
  registerScorers(registry);
  registerSchedules(registry);
  registerTasks(registry);
  registerLossLogger(registry);
  return registry;
}
