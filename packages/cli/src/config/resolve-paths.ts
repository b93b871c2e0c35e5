import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { isPathOption, PLUGIN_SECTIONS, type PluginKind, type PluginRegistry } from "@aflora/core";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** The model family whose plugin loads this folder's config.json `model_type` (undefined: leave the default). */
function familyOf(path: unknown, registry: PluginRegistry): string | undefined {
  if (typeof path !== "string" || !existsSync(resolve(path, "config.json"))) return undefined;
  let modelType: unknown;
  try {
    modelType = (JSON.parse(readFileSync(resolve(path, "config.json"), "utf8")) as { model_type?: unknown }).model_type;
  } catch {
    return undefined;
  }
  return registry.definitions("model").find((d) => typeof modelType === "string" && d.modelTypes?.includes(modelType))
    ?.name;
}

/** A model given as a string is a path when it looks like one or names something that exists; otherwise a hub id. */
function resolveModelPath(value: string, base: string): string {
  if (value === "demo" || isAbsolute(value)) return value;
  if (value.startsWith(".") || value.startsWith("~") || existsSync(resolve(base, value))) return resolve(base, value);
  return value;
}

function resolveSection(section: unknown, kind: PluginKind, registry: PluginRegistry, base: string): unknown {
  if (!isObj(section) || typeof section.name !== "string" || !registry.has(kind, section.name)) return section;
  const def = registry.get(kind, section.name);
  if (!(def.options instanceof z.ZodObject)) return section;
  const out: Obj = { ...section };
  for (const [key, schema] of Object.entries(def.options.shape as Record<string, z.ZodType>)) {
    const v = out[key];
    if (typeof v === "string" && isPathOption(schema) && !isAbsolute(v)) out[key] = resolve(base, v);
  }
  if (kind === "model" && typeof out.path === "string") out.path = resolveModelPath(out.path, base);
  return out;
}

/**
 * Resolves every path of one config layer against `base` (the config file's folder, or the working
 * directory for flags): plugin options marked as paths, the model, `output` and `imports`.
 */
export function resolveLayerPaths(layer: Obj, registry: PluginRegistry, base: string): Obj {
  const out: Obj = { ...layer };
  for (const [field, spec] of Object.entries(PLUGIN_SECTIONS)) {
    if (out[field] === undefined) continue;
    // `model: "<path or id>"` is the model family's `path`; the family itself defaults when the layers are validated.
    if (field === "model" && typeof out.model === "string") out.model = { path: resolveModelPath(out.model, base) };
    if (field === "model" && isObj(out.model) && out.model.name === undefined) {
      const path = typeof out.model.path === "string" ? resolveModelPath(out.model.path, base) : out.model.path;
      const family = familyOf(path, registry);
      out.model = { ...(family ? { name: family } : {}), ...out.model, ...(path !== undefined ? { path } : {}) };
    } else out[field] = resolveSection(out[field], spec.kind, registry, base);
  }
  for (const [field, kind] of [
    ["reportTo", "reporter"],
    ["plugins", "plugin"],
  ] as const) {
    if (Array.isArray(out[field]))
      out[field] = (out[field] as unknown[]).map((s) => resolveSection(s, kind, registry, base));
  }
  if (typeof out.output === "string" && !isAbsolute(out.output)) out.output = resolve(base, out.output);
  if (Array.isArray(out.imports))
    out.imports = out.imports.map((s) => (typeof s === "string" && s.startsWith(".") ? resolve(base, s) : s));
  return out;
}
