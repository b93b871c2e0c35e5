import { z } from "zod";
import type { PluginKind, PluginRegistry } from "../plugin-registry.js";
import { PLUGIN_SECTIONS, runConfigShape } from "./run-config.js";
import { trainingSchema } from "./training-schema.js";

/** One variant per registered plugin of `kind`: `{ name: <literal>, ...its options }`. */
function sectionUnion(registry: PluginRegistry, kind: PluginKind): z.ZodType {
  const variants = registry.definitions(kind).map((d) => {
    const base = d.options instanceof z.ZodObject ? d.options : z.object({}).loose();
    return base.extend({ name: z.literal(d.name).describe(d.description) });
  });
  if (variants.length === 0) return z.object({ name: z.string() }).loose();
  if (variants.length === 1) return variants[0]!;
  return z.discriminatedUnion("name", variants as unknown as [z.ZodObject, z.ZodObject, ...z.ZodObject[]]);
}

/**
 * The JSON Schema of a run config, generated from the registered plugins' zod schemas (for editor
 * completion: `aflora config schema > aflora.schema.json`).
 */
export function runConfigJsonSchema(registry: PluginRegistry): Record<string, unknown> {
  const shape = { ...runConfigShape.shape } as Record<string, z.ZodType>;
  for (const [field, spec] of Object.entries(PLUGIN_SECTIONS)) {
    const union = sectionUnion(registry, spec.kind);
    const described = union.describe(
      runConfigShape.shape[field as keyof typeof runConfigShape.shape].description ?? field,
    );
    shape[field] = field === "data" || field === "model" ? z.union([z.string(), described]) : described.optional();
  }
  shape.training = trainingSchema.default({} as never);
  shape.reportTo = z.array(z.union([z.string(), sectionUnion(registry, "reporter")])).optional();
  shape.plugins = z.array(sectionUnion(registry, "plugin")).optional();
  shape.preset = z.string().optional().describe("a preset this config builds on (e.g. glue/rte)");
  const schema = z.object(shape).strict();
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "aflora run config",
    ...z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }),
  };
}
