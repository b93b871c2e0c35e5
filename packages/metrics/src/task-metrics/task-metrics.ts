import { accuracy, f1, matthewsCorrelation } from "./classification.js";
import { pearson, spearman } from "./correlation.js";

/** Metric names as Hugging Face's `glue` metric reports them (without the `eval_` prefix). */
export const TASK_METRIC_NAMES = ["accuracy", "f1", "matthews_correlation", "pearson", "spearmanr"] as const;
export type TaskMetricName = (typeof TASK_METRIC_NAMES)[number];

const METRIC_FUNCTIONS: Record<TaskMetricName, (p: ArrayLike<number>, l: ArrayLike<number>) => number> = {
  accuracy,
  f1,
  matthews_correlation: matthewsCorrelation,
  pearson,
  spearmanr: spearman,
};

/** The GLUE configurations of Hugging Face's `glue` metric (and dataset), by config name. */
export const GLUE_METRIC_CONFIGS = {
  cola: { metrics: ["matthews_correlation"], selectionMetric: "matthews_correlation" },
  sst2: { metrics: ["accuracy"], selectionMetric: "accuracy" },
  mrpc: { metrics: ["accuracy", "f1"], selectionMetric: "f1" },
  qqp: { metrics: ["accuracy", "f1"], selectionMetric: "accuracy" },
  stsb: { metrics: ["pearson", "spearmanr"], selectionMetric: "pearson" },
  mnli: { metrics: ["accuracy"], selectionMetric: "accuracy" },
  mnli_matched: { metrics: ["accuracy"], selectionMetric: "accuracy" },
  mnli_mismatched: { metrics: ["accuracy"], selectionMetric: "accuracy" },
  qnli: { metrics: ["accuracy"], selectionMetric: "accuracy" },
  rte: { metrics: ["accuracy"], selectionMetric: "accuracy" },
  wnli: { metrics: ["accuracy"], selectionMetric: "accuracy" },
  ax: { metrics: ["accuracy"], selectionMetric: "accuracy" },
} as const satisfies Record<string, TaskMetricSpec>;

export type GlueMetricConfig = keyof typeof GLUE_METRIC_CONFIGS;

/** Which metrics a task reports and which one selects the best checkpoint (greater is better). */
export interface TaskMetricSpec {
  metrics: readonly TaskMetricName[];
  selectionMetric: string;
}

/** Accepts HF config names (`sst2`, `stsb`) and GLUE spellings (`SST-2`, `STS-B`, `MNLI-m`). */
export function glueMetricConfig(task: string): GlueMetricConfig {
  const key = task.toLowerCase().replace(/[-\s]/g, "");
  const alias: Record<string, GlueMetricConfig> = { mnlim: "mnli_matched", mnlimm: "mnli_mismatched" };
  const name = (alias[key] ?? key) as GlueMetricConfig;
  if (!(name in GLUE_METRIC_CONFIGS)) {
    throw new Error(`Unknown GLUE task "${task}". Known: ${Object.keys(GLUE_METRIC_CONFIGS).join(", ")}`);
  }
  return name;
}

function resolveSpec(task: string | TaskMetricSpec): TaskMetricSpec {
  if (typeof task === "string") return GLUE_METRIC_CONFIGS[glueMetricConfig(task)];
  if (task.metrics.length === 0) throw new Error("computeTaskMetrics: the task lists no metrics");
  for (const m of task.metrics) {
    if (!(TASK_METRIC_NAMES as readonly string[]).includes(m)) {
      throw new Error(`computeTaskMetrics: unknown metric "${m}". Known: ${TASK_METRIC_NAMES.join(", ")}`);
    }
  }
  return task;
}

/** The metric that picks the best checkpoint, as in the authors' `task_to_best_metric` (without `eval_`). */
export function selectionMetric(task: string | TaskMetricSpec): string {
  return resolveSpec(task).selectionMetric;
}

/**
 * Scores predictions as Hugging Face's `run_glue.py` does: class ids (already argmax-ed) or
 * regression values against labels; `combined_score` is the mean when there is more than one metric.
 */
export function computeTaskMetrics(
  task: string | TaskMetricSpec,
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
): Record<string, number> {
  const spec = resolveSpec(task);
  const result: Record<string, number> = {};
  for (const m of spec.metrics) result[m] = METRIC_FUNCTIONS[m](predictions, labels);
  const values = Object.values(result);
  if (values.length > 1) result.combined_score = values.reduce((s, v) => s + v, 0) / values.length;
  return result;
}
