import type { PluginRegistry } from "@aflora/core";
import { customTaskData, type CustomTaskDataOptions } from "../custom-task-data.js";
import { glueTaskData, type GlueTaskDataOptions } from "../glue-task-data.js";
import { spamAssassinTask, type SpamAssassinOptions } from "../spam-assassin/spam-assassin-task.js";
import { parseCustomTaskSchema } from "../tasks/custom-task.js";
import { GLUE_TASK_NAMES, GLUE_TASKS } from "../tasks/glue-tasks.js";
import type { TaskData, TaskLoadOptions } from "../task-data.js";
import { checkOptions } from "./options.js";

/** Batching defaults a task section may carry; used where the trainer's load options leave them unset. */
const LOAD_FIELDS = { maxSeqLength: "positiveInt", padToMaxLength: "boolean", groupByLength: "boolean" } as const;

const GLUE_FIELDS = {
  dataDir: "string",
  cacheDir: "string",
  hubUrl: "string",
  revision: "string",
  skipMalformed: "boolean",
  maxTrainExamples: "positiveInt",
  maxEvalExamples: "positiveInt",
  ...LOAD_FIELDS,
} as const;

function withLoadDefaults(data: TaskData, options: Record<string, unknown>): TaskData {
  const defaults: Partial<TaskLoadOptions> = {};
  for (const k of Object.keys(LOAD_FIELDS)) if (options[k] !== undefined) (defaults as Record<string, unknown>)[k] = options[k];
  return {
    info: data.info,
    load: (load) => {
      const merged = { ...load } as Record<string, unknown>;
      for (const [k, v] of Object.entries(defaults)) if (merged[k] === undefined) merged[k] = v;
      return data.load(merged as unknown as TaskLoadOptions);
    },
  };
}

/**
 * Registers the "task" plugins: `glue/<task>` for the nine GLUE tasks, `csv` and `jsonl` for
 * custom tasks, and `spam-assassin`. Each creates a {@link TaskData}.
 */
export function registerTasks(registry: PluginRegistry): PluginRegistry {
  for (const name of GLUE_TASK_NAMES) {
    const task = GLUE_TASKS[name];
    registry.register<TaskData, Record<string, unknown>>({
      kind: "task",
      name: `glue/${name}`,
      description: `GLUE ${task.displayName} (${task.labels ? task.labels.join("/") : "regression"}; selects on ${task.metrics.selectionMetric}) from a local TSV/parquet folder (dataDir) or the hub (glue:${name})`,
      package: "@aflora/glue-data",
      parse: (o) => checkOptions(o, GLUE_FIELDS),
      create: (o) => withLoadDefaults(glueTaskData({ ...(o as Omit<GlueTaskDataOptions, "task">), task: name }), o),
    });
  }
  for (const format of ["csv", "jsonl"] as const) {
    registry.register<TaskData, Record<string, unknown>>({
      kind: "task",
      name: format,
      description: `A custom task from ${format.toUpperCase()} files described by textFields, labelField and labels (or regression)`,
      package: "@aflora/glue-data",
      parse: (o) => {
        checkOptions(
          o,
          {
            taskName: "string",
            train: "string",
            validation: "string",
            textFields: "stringArray",
            labelField: "string",
            labels: "stringArray",
            regression: "boolean",
            metrics: "stringArray",
            selectionMetric: "string",
            skipMalformed: "boolean",
            maxTrainExamples: "positiveInt",
            maxEvalExamples: "positiveInt",
            ...(format === "csv" ? { delimiter: [",", "\t"] } : {}),
            ...LOAD_FIELDS,
          },
          ["train", "validation"],
        );
        parseCustomTaskSchema(o, "task");
        return o;
      },
      create: (o) => {
        const schema = parseCustomTaskSchema(o, "task");
        const fileFormat = format === "jsonl" ? "jsonl" : o.delimiter === "\t" ? "tsv" : "csv";
        const options: CustomTaskDataOptions = {
          ...schema,
          name: (o.taskName as string | undefined) ?? format,
          train: o.train as string,
          validation: o.validation as string,
          format: fileFormat,
          ...(o.skipMalformed === true ? { skipMalformed: true } : {}),
          ...(o.maxTrainExamples !== undefined ? { maxTrainExamples: o.maxTrainExamples as number } : {}),
          ...(o.maxEvalExamples !== undefined ? { maxEvalExamples: o.maxEvalExamples as number } : {}),
        };
        return withLoadDefaults(customTaskData(options), o);
      },
    });
  }
  registry.register<TaskData, Record<string, unknown>>({
    kind: "task",
    name: "spam-assassin",
    description: "SpamAssassin public corpus, ham vs spam (subject + body), seeded train/dev split; for demos and end-to-end tests",
    package: "@aflora/glue-data",
    parse: (o) =>
      checkOptions(o, { seed: "nonNegativeInt", devFraction: "fraction", maxExamples: "positiveInt", maxChars: "positiveInt", text: ["subject+body", "body"], ...LOAD_FIELDS }),
    create: (o) => withLoadDefaults(spamAssassinTask(o as SpamAssassinOptions), o),
  });
  return registry;
}
