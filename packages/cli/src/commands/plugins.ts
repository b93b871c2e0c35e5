import { z } from "zod";
import { PLUGIN_KINDS, type PluginDefinition, type PluginRegistry } from "@aflora/core";
import { markdownTable } from "@aflora/metrics";
import { loadPluginModules } from "../config/plugin-modules.js";

export interface PluginOptionInfo {
  name: string;
  type: string;
  default?: unknown;
  required: boolean;
  description: string;
}

export interface PluginInfo {
  kind: string;
  name: string;
  package: string | null;
  description: string;
  options: PluginOptionInfo[];
}

/** Options of a definition, read from its zod schema's JSON Schema form. */
export function optionsOf(def: PluginDefinition<unknown, unknown>): PluginOptionInfo[] {
  if (!(def.options instanceof z.ZodObject)) return [];
  const json = z.toJSONSchema(def.options, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, p]) => ({
    name,
    type: typeof p.type === "string" ? p.type : Array.isArray(p.enum) ? (p.enum as unknown[]).map((v) => JSON.stringify(v)).join(" | ") : p.anyOf ? "union" : "value",
    ...(p.default !== undefined ? { default: p.default } : {}),
    required: (json.required ?? []).includes(name),
    description: typeof p.description === "string" ? p.description : "",
  }));
}

export function pluginInfos(registry: PluginRegistry): PluginInfo[] {
  return PLUGIN_KINDS.flatMap((kind) =>
    registry.names(kind).map((name) => {
      const def = registry.get(kind, name);
      return { kind, name, package: def.package ?? null, description: def.description, options: optionsOf(def) };
    }),
  );
}

/** `aflora plugins [--json]`: every registered plugin with its options and defaults. */
export async function pluginsCommand(flags: { json?: boolean; plugin?: string[] }, registry: PluginRegistry): Promise<void> {
  await loadPluginModules(flags.plugin ?? [], registry, process.cwd(), "command line", "--plugin");
  const infos = pluginInfos(registry);
  if (flags.json) {
    process.stdout.write(JSON.stringify(infos, null, 2) + "\n");
    return;
  }
  const rows = infos.map((p) => [
    p.kind,
    p.name,
    p.package ?? "",
    p.options.map((o) => `${o.name}${o.default !== undefined ? `=${JSON.stringify(o.default)}` : o.required ? " (required)" : ""}`).join(", "),
  ]);
  process.stdout.write(markdownTable(["kind", "name", "package", "options (defaults)"], rows) + "\n");
}
