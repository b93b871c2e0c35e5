import { GLUE_METRIC_CONFIGS } from "@aflora/metrics";
import { customTaskData, type CustomTaskDataOptions } from "../custom-task-data.js";
import type { CustomFormat } from "../read/custom.js";
import type { TaskData } from "../task-data.js";
import type { CustomTaskSchema } from "./custom-task.js";
import { taskInfo, type TaskInfo } from "./task-info.js";

/** HANS's labels in Hugging Face's order (the `hans` dataset's ClassLabel). */
export const HANS_LABELS = ["entailment", "non-entailment"] as const;

/** HANS as Hugging Face's `glue` metric scores it (config `hans`: accuracy). */
export const HANS_TASK: TaskInfo = taskInfo("hans", HANS_LABELS, ["premise", "hypothesis"], GLUE_METRIC_CONFIGS.hans);

/**
 * The columns of the two HANS distributions: the original tab-separated files
 * (heuristics_{train,evaluation}_set.txt: sentence1, sentence2, gold_label) and an export of the
 * Hub dataset `hans` (premise, hypothesis, label as a name or 0/1) as CSV or JSONL.
 */
export function hansSchema(format: CustomFormat): CustomTaskSchema {
  const metrics = [...GLUE_METRIC_CONFIGS.hans.metrics];
  const common = { labels: [...HANS_LABELS], metrics, selectionMetric: GLUE_METRIC_CONFIGS.hans.selectionMetric };
  return format === "tsv"
    ? { textFields: ["sentence1", "sentence2"], labelField: "gold_label", ...common }
    : { textFields: ["premise", "hypothesis"], labelField: "label", ...common };
}

export interface HansTaskDataOptions extends Omit<CustomTaskDataOptions, keyof CustomTaskSchema | "name"> {
  /** "tsv" for the original .txt files (the default for .txt and .tsv), else from the extension. */
  format?: CustomFormat;
}

/** HANS (McCoy et al., 2019) from local files, scored with accuracy as HF's glue metric does. */
export function hansTaskData(options: HansTaskDataOptions): TaskData {
  const ext = options.validation.toLowerCase();
  const format: CustomFormat =
    options.format ?? (ext.endsWith(".jsonl") ? "jsonl" : ext.endsWith(".csv") ? "csv" : "tsv");
  return customTaskData({ ...options, ...hansSchema(format), name: "hans", format });
}
