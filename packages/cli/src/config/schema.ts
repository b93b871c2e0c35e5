import { z } from "zod";
import { BACKEND_NAMES, type PluginRegistry } from "@aflora/core";

export const METHODS = ["aflora", "lora", "elora", "full"] as const;
export type Method = (typeof METHODS)[number];

/** A plugin section `{ name, ...options }`; the name is checked against the PluginRegistry. */
const pluginSection = z.object({ name: z.string() }).loose();

/** Adapter options (r, trainablePm, targetModules, dInit…); checked by the adapter method's own parser. */
export const adapterSchema = z.record(z.string(), z.unknown());

/**
 * The task, as a "task" plugin section: `{ name: "glue/rte", dataDir: "…" }`, `{ name: "csv", train, validation,
 * textFields, labelField, labels }`, `{ name: "spam-assassin" }`. The strings `glue:<task>` and `spam-assassin`
 * are shorthands, expanded before validation.
 */
export const dataSchema = pluginSection;

export const trainingSchema = z
  .object({
    epochs: z.number().int().positive(),
    batchSize: z.number().int().positive(),
    lr: z.number().positive(),
    classifierLr: z.number().positive(),
    weightDecay: z.number().min(0),
    classifierWeightDecay: z.number().min(0),
    warmupRatio: z.number().min(0).max(1),
    maxGradNorm: z.number().positive(),
    gradientAccumulation: z.number().int().positive(),
    maxSeqLength: z.number().int().positive(),
    seed: z.number().int(),
    /** "epoch" or a number of optimizer steps. */
    evalEvery: z.union([z.literal("epoch"), z.number().int().positive()]),
    /** Save a checkpoint every N optimizer steps (besides every evaluation). */
    checkpointEvery: z.number().int().positive().optional(),
    /** Stop after this many optimizer steps (shortened runs, smoke tests). */
    maxSteps: z.number().int().positive().optional(),
    /** Pad every batch to maxSeqLength (the authors' setting) instead of the batch's longest example. */
    padToMaxLength: z.boolean().optional(),
  })
  .strict();

export const configSchema = z
  .object({
    /** "demo" (the built-in tiny encoder), a Hugging Face model folder, or a hub id. */
    model: z.string().min(1),
    /** Tokenizer folder or file when it is not inside the model folder. */
    tokenizer: z.string().optional(),
    method: z.enum(METHODS),
    adapter: adapterSchema.default({}),
    scorer: pluginSection.optional(),
    schedule: pluginSection.optional(),
    data: dataSchema,
    training: trainingSchema,
    backend: z.enum(["auto", ...BACKEND_NAMES]).default("auto"),
    /** Parent folder of run folders. */
    output: z.string().default("runs"),
    /** Short name used in the run folder name. */
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' or '-' only").optional(),
    /** Plugin packages to load first (package names, or paths relative to the config file); each exports register(registry). */
    imports: z.array(z.string().min(1)).default([]),
    /** Extra plugins attached to the run, by name. */
    plugins: z.array(pluginSection).default([]),
  })
  .strict();

export type RunConfig = z.infer<typeof configSchema>;
export type DataConfig = z.infer<typeof dataSchema>;

/** Plugin sections checked against the registry: config field → plugin kind. */
export const PLUGIN_FIELDS = { scorer: "scorer", schedule: "schedule" } as const;

/**
 * Names registered for a plugin kind; an empty registry (a package missing) leaves the
 * name unchecked here and `PluginRegistry.create` reports it when the run builds it.
 */
/** Expands the data shorthands: `glue:rte` → `{ name: "glue/rte" }`, `spam-assassin` → `{ name: "spam-assassin" }`. */
export function expandDataShorthand(data: unknown): unknown {
  if (typeof data !== "string") return data;
  const m = /^glue[:/](.+)$/.exec(data);
  return { name: m ? `glue/${m[1]!.toLowerCase().replace(/[^a-z0-9]/g, "")}` : data };
}

export function pluginNameIssue(registry: PluginRegistry, kind: "scorer" | "schedule" | "plugin", name: string): string | null {
  const known = registry.names(kind);
  if (known.includes(name)) return null;
  return `expected one of ${known.length ? known.join(", ") : `(no ${kind} registered)`} (got "${name}")`;
}
