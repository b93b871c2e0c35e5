import type { PluginRegistry } from "@aflora/core";
import { instructTaskDefinitions } from "./plugin/definitions.js";

/** Registers the "instruct-json" and "arithmetic-demo" task plugins. */
export function register(registry: PluginRegistry): PluginRegistry {
  for (const def of instructTaskDefinitions) registry.register(def);
  return registry;
}
