import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import {
  pathOptionKind,
  PLUGIN_SECTIONS,
  resolveRunConfig,
  RunConfigError,
  type PluginRegistry,
  type PluginSection,
  type RunConfig,
} from "@aflora/core";
import { readConfigFile } from "./read-config-file.js";
import { ConfigError } from "./config-error.js";
import { loadPreset } from "./presets.js";
import { mergeConfig } from "./merge.js";
import { flagsToConfig } from "./flags.js";
import { loadPluginModules } from "./plugin-modules.js";
import { resolveLayerPaths } from "./resolve-paths.js";

export interface ResolveInput {
  /** Config file (YAML or JSON); its relative paths resolve against its folder. */
  config?: string | undefined;
  /**
   * Preset name, e.g. `glue/rte`, the base the config file and flags override. A config file may
   * name one itself (`preset: glue/rte`). Without any preset or config file: the demo preset.
   */
  preset?: string | undefined;
  /** Parsed command-line options (commander's camelCase keys); their relative paths resolve against the working directory. */
  flags?: Record<string, unknown>;
  /** Plugin packages or module paths given with `--plugin` (relative to the working directory). */
  plugins?: string[] | undefined;
}

/** Validates a merged config with core's resolver; its problems become one ConfigError (exit code 2). */
export function validateConfig(raw: Record<string, unknown>, registry: PluginRegistry, source = "config"): RunConfig {
  try {
    return resolveRunConfig(raw, registry, source);
  } catch (e) {
    if (e instanceof RunConfigError) throw new ConfigError(e.message);
    throw e;
  }
}

/** Every path option of the selected plugins must exist; the error names the field and the resolved path. */
export function checkPathsExist(config: RunConfig, registry: PluginRegistry, source: string): void {
  const problems: string[] = [];
  const check = (
    field: string,
    kind: (typeof PLUGIN_SECTIONS)[keyof typeof PLUGIN_SECTIONS]["kind"] | "reporter" | "plugin",
    section: PluginSection | undefined,
  ) => {
    if (!section || !registry.has(kind, section.name)) return;
    const def = registry.get(kind, section.name);
    if (!(def.options instanceof z.ZodObject)) return;
    for (const [key, schema] of Object.entries(def.options.shape as Record<string, z.ZodType>)) {
      const v = section[key];
      if (typeof v === "string" && pathOptionKind(schema) === "existing" && !existsSync(v))
        problems.push(`${field}.${key}: no such file or folder: ${resolve(v)}`);
    }
  };
  for (const [field, spec] of Object.entries(PLUGIN_SECTIONS))
    check(field, spec.kind, (config as unknown as Record<string, PluginSection | undefined>)[field]);
  config.reportTo.forEach((r, i) => check(`reportTo[${i}]`, "reporter", r));
  config.plugins.forEach((p, i) => check(`plugins[${i}]`, "plugin", p));
  if (problems.length) throw new ConfigError(problems.map((p) => `${source}: ${p}`).join("\n"));
}

/**
 * Builds the run config: preset ← config file ← flags (later wins), after loading the plugin
 * packages named by `imports` and `--plugin`; each layer's paths resolve against its own folder
 * (the config file's, or the working directory for flags). Then validation against the schemas
 * of the selected plugins, with their defaults filled in.
 */
export async function resolveConfig(input: ResolveInput, registry: PluginRegistry): Promise<RunConfig> {
  const cwd = process.cwd();
  const file = input.config ? readConfigFile(input.config) : {};
  const fileDir = input.config ? dirname(resolve(input.config)) : cwd;
  const fromFile = file.preset;
  delete file.preset;
  if (fromFile !== undefined && typeof fromFile !== "string")
    throw new ConfigError(
      `${input.config}: preset: expected a preset name such as glue/rte (got ${JSON.stringify(fromFile)})`,
    );
  const presetName = input.preset ?? fromFile;
  const preset = presetName ? loadPreset(presetName) : input.config ? {} : loadPreset("demo");
  const source = input.config ?? (presetName ? `preset ${presetName}` : "config");

  const imports = [
    ...(Array.isArray(preset.imports) ? preset.imports : []),
    ...(Array.isArray(file.imports)
      ? (file.imports as unknown[]).map((s) => (typeof s === "string" && s.startsWith(".") ? resolve(fileDir, s) : s))
      : file.imports !== undefined
        ? [file.imports]
        : []),
  ];
  const plugins = (input.plugins ?? []).map((s) => (s.startsWith(".") ? resolve(cwd, s) : s));
  await loadPluginModules(imports, registry, fileDir, input.config ?? "config", "imports");
  await loadPluginModules(plugins, registry, cwd, "command line", "--plugin");

  const fileLayer = resolveLayerPaths(file, registry, fileDir);
  const base = mergeConfig(resolveLayerPaths(preset, registry, cwd), fileLayer);
  const flagLayer = resolveLayerPaths(flagsToConfig(input.flags ?? {}, registry, base), registry, cwd);
  const raw = mergeConfig(base, flagLayer);
  // Saved configs must find the same modules from any working directory (resume, eval).
  raw.imports = [...new Set([...imports, ...plugins].map(String))];
  const config = validateConfig(raw, registry, source);
  checkPathsExist(config, registry, source);
  return config;
}
