import type { PluginRegistry } from "@aflora/core";
import { ADAPTER_METHODS, type AdapterConfig } from "./methods.js";
import type { Options } from "./base/options.js";
import { applyAdapter, type ApplyOptions } from "./base/apply.js";
import type { AdaptableModel } from "./base/adaptable-model.js";
import type { AppliedAdapter } from "./base/applied-adapter.js";

/** What the "adapter" plugin kind creates: a validated config, ready to apply to a model. */
export interface AdapterFactory {
  readonly config: AdapterConfig;
  apply(model: AdaptableModel, options: ApplyOptions): AppliedAdapter;
}

/**
 * Registers lora, elora and aflora under kind "adapter", so a run config
 * `{ "adapter": { "name": "aflora", "r": 4 } }` selects one. `parse` reports bad options by field.
 */
export function registerAdapters(plugins: PluginRegistry): PluginRegistry {
  for (const method of Object.values(ADAPTER_METHODS)) {
    plugins.register<AdapterFactory, AdapterConfig>({
      kind: "adapter",
      name: method.name,
      description: method.description,
      package: "@aflora/adapter",
      parse: (options: Options) => method.parse({ ...options, method: method.name }),
      create: (config) => ({ config, apply: (model, options) => applyAdapter(model, config, options) }),
    });
  }
  return plugins;
}
