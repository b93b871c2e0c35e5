import { existsSync } from "node:fs";
import { parse as parseYamlScalar } from "yaml";
import { z } from "zod";
import { PLUGIN_SECTIONS, runConfigShape, trainingSchema, type PluginRegistry } from "@aflora/core";
import { ConfigError } from "./config-error.js";
import { setPath } from "./merge.js";
import { expandDataShorthand } from "@aflora/core";

/** A command-line flag that overrides one config field. */
export interface ConfigFlag {
  flag: string;
  /** Commander's camelCase option key. */
  key: string;
  path: string;
  description: string;
  kind: "string" | "number" | "value" | "list";
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function kindOf(schema: z.ZodType): ConfigFlag["kind"] {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  if (s instanceof z.ZodNumber) return "number";
  if (s instanceof z.ZodString || s instanceof z.ZodEnum) return "string";
  if (s instanceof z.ZodArray) return "list";
  return "value";
}

const flag = (name: string, path: string, description: string, kind: ConfigFlag["kind"]): ConfigFlag => ({
  flag: name,
  key: camel(name),
  path,
  description,
  kind,
});

/**
 * Every override flag of `aflora train` / `aflora eval`, generated from the config's schemas:
 * one per training option, one per plugin section (its name), and the top-level fields.
 * Flags win over the config file and the preset; `--set path=value` reaches any other field.
 */
export function configFlags(registry: PluginRegistry): ConfigFlag[] {
  const flags: ConfigFlag[] = [
    flag("model", "model", "a Hugging Face model folder or hub id, or demo (the model's path)", "string"),
    flag("revision", "model.revision", "hub revision of the model: a branch, tag or commit", "string"),
    flag(
      "tokenizer",
      "model.tokenizer",
      "tokenizer folder or tokenizer.json when it is not in the model folder",
      "string",
    ),
  ];
  for (const [field, spec] of Object.entries(PLUGIN_SECTIONS)) {
    if (field === "model" || field === "data") continue;
    const names = registry.names(spec.kind);
    flags.push(flag(field, `${field}.name`, `${spec.kind} by name: ${names.join(", ")}`, "string"));
  }
  for (const [key, schema] of Object.entries(trainingSchema.shape)) {
    if (key === "optimArgs") continue;
    flags.push(
      flag(kebab(key), `training.${key}`, (schema as z.ZodType).description ?? key, kindOf(schema as z.ZodType)),
    );
  }
  for (const key of ["backend", "threads", "output", "name", "reportTo"] as const) {
    const schema = runConfigShape.shape[key] as z.ZodType;
    flags.push(flag(kebab(key), key, schema.description ?? key, kindOf(schema)));
  }
  return flags;
}

/** `--method` is the adapter's name, as users of other tools call it. */
const ALIASES: Record<string, string> = { method: "adapter" };

/**
 * Turns parsed flags into a config layer. `--data` accepts `glue:<task>`, `spam-assassin`
 * or a GLUE folder (with `--task` or a preset's task); `--set a.b=value` sets any field.
 */
export function flagsToConfig(
  opts: Record<string, unknown>,
  registry: PluginRegistry,
  base: Record<string, unknown> = {},
): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  const values = { ...opts };
  for (const [alias, target] of Object.entries(ALIASES)) {
    if (values[alias] !== undefined && values[target] === undefined) values[target] = values[alias];
  }
  for (const f of configFlags(registry)) {
    const raw = values[f.key];
    if (raw === undefined) continue;
    if (f.kind === "list") {
      setPath(layer, f.path, (Array.isArray(raw) ? raw : [raw]).map(String));
      continue;
    }
    const value = f.kind === "string" ? String(raw) : parseYamlScalar(String(raw));
    if (f.kind === "number" && typeof value !== "number")
      throw new ConfigError(`--${f.flag}: expected a number (got "${raw}")`);
    setPath(layer, f.path === "model" ? "model.path" : f.path, value);
  }
  if (opts.data !== undefined || opts.task !== undefined)
    layer.data = dataFlag(opts.data as string | undefined, opts.task as string | undefined, base.data);
  for (const assignment of (opts.set as string[] | undefined) ?? []) {
    const eq = assignment.indexOf("=");
    if (eq <= 0) throw new ConfigError(`--set: expected path=value (got "${assignment}")`);
    setPath(layer, assignment.slice(0, eq), parseYamlScalar(assignment.slice(eq + 1)));
  }
  return layer;
}

function dataFlag(data: string | undefined, task: string | undefined, base: unknown): Record<string, unknown> {
  const baseName = (expandDataShorthand(base) as { name?: string } | undefined)?.name;
  const baseTask = baseName?.startsWith("glue/") ? baseName.slice(5) : undefined;
  if (data === undefined) return { name: `glue/${task}` };
  if (/^glue[:/]/.test(data) || (!/[\\/]/.test(data) && !existsSync(data)))
    return expandDataShorthand(data) as Record<string, unknown>;
  const t = task ?? baseTask;
  if (!t)
    throw new ConfigError(
      `--data: a GLUE folder needs the task: add --task <name> or a --preset glue/<task> (got "${data}")`,
    );
  return { name: `glue/${t}`, dataDir: data };
}
