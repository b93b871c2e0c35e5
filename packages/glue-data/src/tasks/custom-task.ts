import { F1_AVERAGES, TASK_METRIC_NAMES, type F1Average, type TaskMetricName } from "@aflora/metrics";
import { taskInfo, type TaskInfo } from "./task-info.js";

/** The small schema that describes a custom CSV/JSONL task. */
export interface CustomTaskSchema {
  /** One text field (single sentence) or two (sentence pair). */
  textFields: string[];
  labelField: string;
  /** Class names; label cells may hold a name or its index. Omit for regression. */
  labels?: string[];
  /** A single float target (mutually exclusive with `labels`). */
  regression?: boolean;
  /** Defaults: accuracy (+ f1 for two classes); pearson + spearmanr for regression. */
  metrics?: TaskMetricName[];
  /** Defaults to the first metric. */
  selectionMetric?: string;
  /** scikit-learn's `average` for f1: needed ("macro", "micro" or "weighted") when f1 scores more than two classes. */
  average?: F1Average;
}

/** Checks a schema from a config file; errors name the offending field under `field`. */
export function parseCustomTaskSchema(raw: Record<string, unknown>, field = "task"): CustomTaskSchema {
  const textFields = raw.textFields;
  if (
    !Array.isArray(textFields) ||
    textFields.length < 1 ||
    textFields.length > 2 ||
    !textFields.every((f) => typeof f === "string" && f)
  ) {
    throw new Error(`${field}.textFields: expected one or two column names, got ${JSON.stringify(textFields)}`);
  }
  if (typeof raw.labelField !== "string" || !raw.labelField) {
    throw new Error(
      `${field}.labelField: expected the name of the label column, got ${JSON.stringify(raw.labelField)}`,
    );
  }
  const regression = raw.regression === true;
  if (raw.regression !== undefined && typeof raw.regression !== "boolean")
    throw new Error(`${field}.regression: expected true or false`);
  const labels = raw.labels;
  if (regression && labels !== undefined)
    throw new Error(`${field}.labels: a regression task has no label list (remove labels or regression)`);
  if (!regression) {
    if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => typeof l === "string")) {
      throw new Error(
        `${field}.labels: expected a list of at least two class names (or regression: true), got ${JSON.stringify(labels)}`,
      );
    }
    if (new Set(labels).size !== labels.length) throw new Error(`${field}.labels: class names must be distinct`);
  }
  const metrics = raw.metrics;
  if (metrics !== undefined) {
    if (!Array.isArray(metrics) || metrics.length === 0)
      throw new Error(`${field}.metrics: expected a non-empty list of metric names`);
    for (const m of metrics) {
      if (!(TASK_METRIC_NAMES as readonly unknown[]).includes(m)) {
        throw new Error(
          `${field}.metrics: unknown metric ${JSON.stringify(m)}; known: ${TASK_METRIC_NAMES.join(", ")}`,
        );
      }
    }
  }
  if (raw.selectionMetric !== undefined && typeof raw.selectionMetric !== "string")
    throw new Error(`${field}.selectionMetric: expected a metric name`);
  if (raw.average !== undefined && !(F1_AVERAGES as readonly unknown[]).includes(raw.average)) {
    throw new Error(`${field}.average: expected one of ${F1_AVERAGES.join(", ")}, got ${JSON.stringify(raw.average)}`);
  }
  const classes = Array.isArray(labels) ? labels.length : 0;
  if (
    Array.isArray(metrics) &&
    metrics.includes("f1") &&
    classes > 2 &&
    (raw.average === undefined || raw.average === "binary")
  ) {
    throw new Error(
      `${field}.average: f1 over ${classes} classes needs average "macro", "micro" or "weighted" ("binary" scores class 1 of two, as in scikit-learn)`,
    );
  }
  return {
    textFields: textFields as string[],
    labelField: raw.labelField,
    ...(regression ? { regression: true } : { labels: labels as string[] }),
    ...(metrics ? { metrics: metrics as TaskMetricName[] } : {}),
    ...(raw.selectionMetric !== undefined ? { selectionMetric: raw.selectionMetric as string } : {}),
    ...(raw.average !== undefined ? { average: raw.average as F1Average } : {}),
  };
}

export function customTaskInfo(name: string, schema: CustomTaskSchema): TaskInfo {
  const labels = schema.regression ? null : schema.labels!;
  const metrics: TaskMetricName[] =
    schema.metrics ??
    (labels === null ? ["pearson", "spearmanr"] : labels.length === 2 ? ["accuracy", "f1"] : ["accuracy"]);
  const selection = schema.selectionMetric ?? metrics[0]!;
  if (!(metrics as string[]).includes(selection) && selection !== "combined_score") {
    throw new Error(`selectionMetric "${selection}" is not one of the task's metrics (${metrics.join(", ")})`);
  }
  return taskInfo(name, labels, schema.textFields, {
    metrics,
    selectionMetric: selection,
    ...(schema.average ? { f1Average: schema.average } : {}),
  });
}
