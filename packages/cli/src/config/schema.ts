import { z } from "zod";
import { BACKEND_NAMES, type PluginRegistry } from "@aflora/core";

export const METHODS = ["aflora", "lora", "elora", "full"] as const;
export type Method = (typeof METHODS)[number];

/** A plugin section `{ name, ...options }`; the name is checked against the PluginRegistry. */
const pluginSection = z.object({ name: z.string() }).loose();

/** Adapter options (r, trainablePm, targetModules, dInit…); checked by the adapter method's own parser. */
export const adapterSchema = z.record(z.string(), z.unknown());

export const dataSchema = z.union([
  z.string().regex(/^(glue:[a-z0-9-]+|spam-assassin)$/, 'expected "glue:<task>", "spam-assassin" or an object with a "format"'),
  z.object({ format: z.literal("glue"), task: z.string(), path: z.string().optional() }).strict(),
  z.object({ format: z.literal("spam-assassin"), validationFraction: z.number().gt(0).lt(1).optional(), maxExamples: z.number().int().positive().optional() }).strict(),
  z
    .object({
      format: z.enum(["csv", "jsonl"]),
      train: z.string(),
      validation: z.string(),
      text: z.string(),
      textPair: z.string().optional(),
      label: z.string(),
      /** Class names in label-id order; omit for regression (one float label). */
      labels: z.array(z.string()).optional(),
      regression: z.boolean().optional(),
      metric: z.string().optional(),
    })
    .strict(),
]);

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
    /** Use only the first N training / evaluation examples. */
    maxTrainExamples: z.number().int().positive().optional(),
    maxEvalExamples: z.number().int().positive().optional(),
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
export function pluginNameIssue(registry: PluginRegistry, kind: "scorer" | "schedule" | "plugin", name: string): string | null {
  const known = registry.names(kind);
  if (known.includes(name)) return null;
  return `expected one of ${known.length ? known.join(", ") : `(no ${kind} registered)`} (got "${name}")`;
}
