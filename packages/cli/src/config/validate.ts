import type { PluginKind, PluginRegistry } from "@aflora/core";
import { z } from "zod";
import { configSchema, type RunConfig } from "./schema.js";
import { ConfigError, formatIssue, pathString } from "./config-error.js";

/** Allowed field names at a path of the config schema (for "unknown field" messages). */
function allowedKeys(path: readonly PropertyKey[]): string[] | null {
  let s: z.ZodType = configSchema;
  for (const key of path) {
    s = unwrap(s);
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[String(key)]!;
    else return null;
    if (!s) return null;
  }
  s = unwrap(s);
  if (s instanceof z.ZodUnion) {
    const keys = new Set<string>();
    for (const o of s.options as z.ZodType[]) if (o instanceof z.ZodObject) for (const k of Object.keys(o.shape)) keys.add(k);
    return [...keys];
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : null;
}

function unwrap(s: z.ZodType): z.ZodType {
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  return s;
}

/**
 * Validates a merged config. Schema problems and plugin problems (unknown scorer or schedule
 * names, bad plugin options) come back as one ConfigError, one line per field:
 * `schedule.name: expected one of cubic, linear, … (got "cubik")`.
 */
export function validateConfig(raw: Record<string, unknown>, registry: PluginRegistry, source = "config"): RunConfig {
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => formatIssue(i, allowedKeys));
    throw new ConfigError(`${source}: ${lines.join(`\n${source}: `)}`);
  }
  const config = parsed.data;
  const problems: string[] = [];
  const check = (kind: PluginKind, field: string, section: { name: string } & Record<string, unknown>) => {
    const known = registry.names(kind);
    if (!known.length) return; // package not registered: PluginRegistry.create reports it when the run builds it
    if (!known.includes(section.name)) {
      problems.push(`${field}.name: expected one of ${known.join(", ")} (got "${section.name}")`);
      return;
    }
    const def = registry.get(kind, section.name);
    const { name: _n, ...options } = section;
    try {
      def.parse?.(options);
    } catch (e) {
      // Plugin parsers start their message with the option name.
      problems.push(`${field}.${(e as Error).message}`);
    }
  };
  if (config.method !== "full") check("adapter", "adapter", { ...config.adapter, name: config.method });
  else if (Object.keys(config.adapter).length) problems.push(`adapter: full fine-tuning takes no adapter options (got ${Object.keys(config.adapter).join(", ")})`);
  check("task", "data", config.data);
  if (config.method === "aflora") {
    if (config.scorer) check("scorer", "scorer", config.scorer);
    if (config.schedule) check("schedule", "schedule", config.schedule);
  }
  config.plugins.forEach((p, i) => check("plugin", pathString(["plugins", i]), p));
  if (problems.length) throw new ConfigError(`${source}: ${problems.join(`\n${source}: `)}`);
  return config;
}
