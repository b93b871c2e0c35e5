import { PluginRegistry, registerKernelProfiler, registerLossLogger, registerOptimizers } from "@aflora/core";
import { register as registerAdapters } from "@aflora/adapter";
import { register as registerDecoder } from "@aflora/decoder";
import { register as registerEncoder } from "@aflora/encoder";
import { register as registerInstructData } from "@aflora/instruct-data";
import { register as registerScorers } from "@aflora/scorer";
import { register as registerSchedules } from "@aflora/scheduler";
import { register as registerTasks } from "@aflora/glue-data";
import { register as registerTensorboard } from "@aflora/tensorboard";

/** The plugin packages every run starts with, in order; more come from `imports` and `--plugin`. */
export const DEFAULT_PLUGIN_PACKAGES: readonly { name: string; register: (r: PluginRegistry) => unknown }[] = [
  {
    name: "@aflora/core",
    register: (r) => {
      registerKernelProfiler(registerLossLogger(registerOptimizers(r)));
    },
  },
  { name: "@aflora/encoder", register: registerEncoder },
  { name: "@aflora/decoder", register: registerDecoder },
  { name: "@aflora/adapter", register: registerAdapters },
  { name: "@aflora/scorer", register: registerScorers },
  { name: "@aflora/scheduler", register: registerSchedules },
  { name: "@aflora/glue-data", register: registerTasks },
  { name: "@aflora/instruct-data", register: registerInstructData },
  { name: "@aflora/tensorboard", register: registerTensorboard },
];

/** The registry a run config is resolved against: every default package registers its named implementations. */
export function createPluginRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  for (const p of DEFAULT_PLUGIN_PACKAGES) p.register(registry);
  return registry;
}
