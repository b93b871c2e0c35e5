import { definePlugin, pathOption, type PluginRegistry } from "@aflora/core";
import { z } from "zod";
import { customTaskData, type CustomTaskDataOptions } from "../custom-task-data.js";
import { glueTaskData, type GlueTaskDataOptions } from "../glue-task-data.js";
import { spamAssassinTask, type SpamAssassinOptions } from "../spam-assassin/spam-assassin-task.js";
import { parseCustomTaskSchema } from "../tasks/custom-task.js";
import { hansTaskData, type HansTaskDataOptions } from "../tasks/hans-task.js";
import { F1_AVERAGES } from "@aflora/metrics";
import { GLUE_TASK_NAMES, GLUE_TASKS } from "../tasks/glue-tasks.js";
import type { TaskData, TaskLoadOptions } from "../task-data.js";

const PACKAGE = "@aflora/glue-data";

/** Batching defaults a task section may carry; used where the trainer's load options leave them unset. */
const loadShape = {
  maxSeqLength: z.number().int().positive().optional().describe("tokens per example (default: training.maxSeqLength)"),
  padToMaxLength: z.boolean().optional().describe("pad every batch to maxSeqLength"),
  groupByLength: z.boolean().optional().describe("batch examples of similar length together"),
};
const LOAD_KEYS = Object.keys(loadShape) as (keyof typeof loadShape)[];

const examplesShape = {
  skipMalformed: z.boolean().optional().describe("skip malformed rows (counted in the log) instead of failing"),
  maxTrainExamples: z.number().int().positive().optional().describe("use only the first N training examples"),
  maxEvalExamples: z.number().int().positive().optional().describe("use only the first N evaluation examples"),
};

function withLoadDefaults(data: TaskData, options: Record<string, unknown>): TaskData {
  const defaults: Record<string, unknown> = {};
  for (const k of LOAD_KEYS) if (options[k] !== undefined) defaults[k] = options[k];
  return {
    info: data.info,
    load: (load) => {
      const merged = { ...load } as Record<string, unknown>;
      for (const [k, v] of Object.entries(defaults)) if (merged[k] === undefined) merged[k] = v;
      return data.load(merged as unknown as TaskLoadOptions);
    },
  };
}

const glueOptions = z
  .object({
    dataDir: pathOption(
      "a local GLUE folder (TSV or parquet); default: download from the hub into cacheDir",
    ).optional(),
    cacheDir: pathOption("where hub downloads are cached", { mustExist: false }).optional(),
    hubUrl: z.string().url().optional().describe("hub endpoint (default https://huggingface.co)"),
    revision: z.string().min(1).optional().describe("revision of the nyu-mll/glue dataset on the hub"),
    ...examplesShape,
    ...loadShape,
  })
  .strict();

function customOptions(format: "csv" | "jsonl") {
  return z
    .object({
      taskName: z.string().min(1).optional().describe("the task's name in reports"),
      train: pathOption(`training ${format.toUpperCase()} file`),
      validation: pathOption(`validation ${format.toUpperCase()} file`),
      textFields: z
        .array(z.string().min(1))
        .min(1)
        .max(2)
        .optional()
        .describe("one text column, or two for sentence pairs"),
      labelField: z.string().min(1).optional().describe("the label column"),
      labels: z.array(z.string()).optional().describe("class names in label-id order"),
      regression: z.boolean().optional().describe("a regression task (one output)"),
      metrics: z.array(z.string().min(1)).optional().describe("metrics to report"),
      selectionMetric: z.string().min(1).optional().describe("the metric that picks the best checkpoint"),
      average: z
        .enum(F1_AVERAGES)
        .optional()
        .describe("how f1 averages over three or more classes (sklearn's average): binary, macro, micro, weighted"),
      ...(format === "csv" ? { delimiter: z.enum([",", "\t"]).optional().describe("field delimiter") } : {}),
      ...examplesShape,
      ...loadShape,
    })
    .strict()
    .superRefine((o, ctx) => {
      try {
        parseCustomTaskSchema(o as Record<string, unknown>, "task");
      } catch (e) {
        const m = /^task\.([A-Za-z0-9_]+): (.*)$/s.exec((e as Error).message);
        ctx.addIssue({ code: "custom", path: m ? [m[1]!] : [], message: m ? m[2]! : (e as Error).message });
      }
    });
}

function glueTask(name: (typeof GLUE_TASK_NAMES)[number]) {
  const task = GLUE_TASKS[name];
  return definePlugin({
    kind: "task",
    name: `glue/${name}`,
    description: `GLUE ${task.displayName} (${task.labels ? task.labels.join("/") : "regression"}; selects on ${task.metrics.selectionMetric}) from a local TSV/parquet folder (dataDir) or the hub (glue:${name})`,
    package: PACKAGE,
    options: glueOptions,
    create: (o): TaskData =>
      withLoadDefaults(glueTaskData({ ...(o as Omit<GlueTaskDataOptions, "task">), task: name }), o),
  });
}

function customTask(format: "csv" | "jsonl") {
  return definePlugin({
    kind: "task",
    name: format,
    description: `A custom task from ${format.toUpperCase()} files described by textFields, labelField and labels (or regression)`,
    package: PACKAGE,
    options: customOptions(format),
    create: (o): TaskData => {
      const raw = o as Record<string, unknown>;
      const schema = parseCustomTaskSchema(raw, "task");
      const fileFormat = format === "jsonl" ? "jsonl" : raw.delimiter === "\t" ? "tsv" : "csv";
      const options: CustomTaskDataOptions = {
        ...schema,
        name: o.taskName ?? format,
        train: o.train,
        validation: o.validation,
        format: fileFormat,
        ...(o.skipMalformed === true ? { skipMalformed: true } : {}),
        ...(o.maxTrainExamples !== undefined ? { maxTrainExamples: o.maxTrainExamples } : {}),
        ...(o.maxEvalExamples !== undefined ? { maxEvalExamples: o.maxEvalExamples } : {}),
      };
      return withLoadDefaults(customTaskData(options), raw);
    },
  });
}

export const hansPlugin = definePlugin({
  kind: "task",
  name: "hans",
  description:
    "HANS (McCoy et al., 2019), entailment vs non-entailment, from its .txt files or a CSV/JSONL export; scored with accuracy as HF's glue metric",
  package: PACKAGE,
  options: z
    .object({
      train: pathOption("training file (heuristics_train_set.txt, .csv or .jsonl)"),
      validation: pathOption("evaluation file (heuristics_evaluation_set.txt, .csv or .jsonl)"),
      format: z
        .enum(["tsv", "csv", "jsonl"])
        .optional()
        .describe("file format (default: from the extension; .txt is the original TSV)"),
      ...examplesShape,
      ...loadShape,
    })
    .strict(),
  create: (o): TaskData => {
    const { maxSeqLength: _m, padToMaxLength: _p, groupByLength: _g, ...rest } = o;
    return withLoadDefaults(hansTaskData(rest as HansTaskDataOptions), o);
  },
});

export const spamAssassinPlugin = definePlugin({
  kind: "task",
  name: "spam-assassin",
  description:
    "SpamAssassin public corpus, ham vs spam (subject + body), seeded train/dev split; for demos and end-to-end tests",
  package: PACKAGE,
  options: z
    .object({
      seed: z.number().int().min(0).optional().describe("seed of the train/dev split"),
      devFraction: z.number().gt(0).lt(1).optional().describe("fraction of messages held out for evaluation"),
      maxExamples: z.number().int().positive().optional().describe("use only N messages"),
      maxChars: z.number().int().positive().optional().describe("characters kept per message"),
      text: z.enum(["subject+body", "body"]).optional().describe("which text the model reads"),
      ...loadShape,
    })
    .strict(),
  create: (o): TaskData => withLoadDefaults(spamAssassinTask(o as SpamAssassinOptions), o),
});

/**
 * Registers the "task" plugins: `glue/<task>` for the GLUE tasks, `csv` and `jsonl` for
 * custom tasks, and `spam-assassin`. Each creates a {@link TaskData}.
 */
export function register(registry: PluginRegistry): PluginRegistry {
  for (const name of GLUE_TASK_NAMES) registry.register(glueTask(name));
  for (const format of ["csv", "jsonl"] as const) registry.register(customTask(format));
  registry.register(hansPlugin);
  registry.register(spamAssassinPlugin);
  return registry;
}

/** @deprecated use `register`. */
export const registerTasks = register;
