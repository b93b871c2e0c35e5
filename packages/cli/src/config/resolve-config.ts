import { resolve } from "node:path";
import type { PluginRegistry } from "@aflora/core";
import { readConfigFile } from "./read-config-file.js";
import { ConfigError } from "./config-error.js";
import { loadPreset } from "./presets.js";
import { mergeConfig } from "./merge.js";
import { flagsToConfig } from "./flags.js";
import { validateConfig } from "./validate.js";
import { configDir, loadPluginModules } from "./plugin-modules.js";
import { expandDataShorthand, type RunConfig } from "./schema.js";

export interface ResolveInput {
  /** Config file (YAML or JSON). */
  config?: string;
  /**
   * Preset name, e.g. `glue/rte`, the base the config file and flags override. A config file may
   * name one itself (`preset: glue/rte`). Without any preset or config file: the demo preset.
   */
  preset?: string;
  /** Parsed command-line options (commander's camelCase keys). */
  flags?: Record<string, unknown>;
}

function expandData(layer: Record<string, unknown>): Record<string, unknown> {
  return layer.data === undefined ? layer : { ...layer, data: expandDataShorthand(layer.data) };
}

/** The aflora defaults a method implies when the config leaves them out. */
export function methodDefaults(method: unknown): Record<string, unknown> {
  return method === "aflora" ? { scorer: { name: "aflora" }, schedule: { name: "cubic" } } : {};
}

/**
 * Builds the run config: preset ← config file ← flags (later wins), then method defaults,
 * then validation against the schema and the registered plugins.
 */
export function resolveConfig(input: ResolveInput, registry: PluginRegistry): RunConfig {
  const { raw, source } = mergeLayers(input);
  return validateConfig(raw, registry, source);
}

/** Like resolveConfig, after loading the plugin packages the config lists under `imports`. */
export async function resolveConfigWithImports(input: ResolveInput, registry: PluginRegistry): Promise<RunConfig> {
  const { raw, source } = mergeLayers(input);
  const base = configDir(input.config);
  await loadPluginModules(raw.imports, registry, base, source);
  // Saved configs must find the same modules from any working directory (resume, eval).
  if (Array.isArray(raw.imports)) raw.imports = raw.imports.map((s) => (typeof s === "string" && s.startsWith(".") ? resolve(base, s) : s));
  return validateConfig(raw, registry, source);
}

/** Preset ← config file ← flags, method defaults, data shorthands; not yet validated. */
export function mergeLayers(input: ResolveInput): { raw: Record<string, unknown>; source: string } {
  const file = expandData(input.config ? readConfigFile(input.config) : {});
  // A config file may name its own base preset (`preset: glue/rte`); --preset wins.
  const fromFile = file.preset;
  delete file.preset;
  if (fromFile !== undefined && typeof fromFile !== "string") throw new ConfigError(`${input.config}: preset: expected a preset name such as glue/rte (got ${JSON.stringify(fromFile)})`);
  const presetName = input.preset ?? fromFile;
  const preset = expandData(presetName ? loadPreset(presetName) : input.config ? {} : loadPreset("demo"));
  const base = mergeConfig(preset, file);
  const merged = mergeConfig(base, flagsToConfig(input.flags ?? {}, base));
  const method = merged.method ?? "aflora";
  const withDefaults = mergeConfig({ method }, methodDefaults(method), merged);
  if (method !== "aflora") {
    // Freezing belongs to AFLoRA; a preset's scorer/schedule must not leak into the baselines.
    delete withDefaults.scorer;
    delete withDefaults.schedule;
  }
  const source = input.config ?? (input.preset ? `preset ${input.preset}` : "config");
  return { raw: withDefaults, source };
}
