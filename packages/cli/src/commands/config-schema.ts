import { runConfigJsonSchema, type PluginRegistry } from "@aflora/core";
import { loadPluginModules } from "../config/plugin-modules.js";

/** `aflora config schema`: the run config's JSON Schema, from the registered plugins' zod schemas. */
export async function configSchemaCommand(flags: { plugin?: string[] }, registry: PluginRegistry): Promise<void> {
  await loadPluginModules(flags.plugin ?? [], registry, process.cwd(), "command line", "--plugin");
  process.stdout.write(JSON.stringify(runConfigJsonSchema(registry), null, 2) + "\n");
}
