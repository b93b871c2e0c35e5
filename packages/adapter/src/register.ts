import type { PluginRegistry } from "@aflora/core";
import { afloraPlugin } from "./aflora/plugin.js";
import { eloraPlugin } from "./elora/plugin.js";
import { fullPlugin } from "./full/plugin.js";
import { loraPlugin } from "./lora/plugin.js";

/** Every adapter method by name: one folder and one entry here per method. */
export const adapterPlugins = { lora: loraPlugin, elora: eloraPlugin, aflora: afloraPlugin, full: fullPlugin } as const;

/**
 * Registers lora, elora, aflora and full under kind "adapter", so a run config
 * `{ "adapter": { "name": "aflora", "r": 4 } }` selects one.
 */
export function register(registry: PluginRegistry): PluginRegistry {
  for (const def of Object.values(adapterPlugins)) registry.register(def);
  return registry;
}

/** @deprecated use `register` (kept for callers of the first release). */
export const registerAdapters = register;
