import type { MetricWarn } from "./check.js";
import { accuracy, F1_AVERAGES, f1, matthewsCorrelation, type F1Average } from "./classification.js";
import { pearson, spearman } from "./correlation.js";

/** Metric names as Hugging Face's `glue` metric reports them (without the `eval_` prefix). */
export const TASK_METRIC_NAMES = ["accuracy", "f1", "matthews_correlation", "pearson", "spearmanr"] as const;
export type TaskMetricName = (typeof TASK_METRIC_NAMES)[number];

type MetricFunction = (
  p: ArrayLike<number>,
  l: ArrayLike<number>,
  o: { warn: MetricWarn; average?: F1Average },
) => number;
const METRIC_FUNCTIONS: Record<TaskMetricName, MetricFunction> = {
  accuracy: (p, l) => accuracy(p, l),
  f1: (p, l, o) => f1(p, l, o),
  matthews_correlation: (p, l) => matthewsCorrelation(p, l),
  pearson: (p, l, o) => pearson(p, l, o),
  spearmanr: (p, l, o) => spearman(p, l, o),
};

/**
 * The configurations of Hugging Face's `glue` metric, by config name: the GLUE tasks plus
 * `hans` (accuracy). `ax` is not one: HF's metric refuses it (its labels are not public).
 */
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
  hans: { metrics: ["accuracy"], selectionMetric: "accuracy" },
} as const satisfies Record<string, TaskMetricSpec>;

export type GlueMetricConfig = keyof typeof GLUE_METRIC_CONFIGS;

/** Which metrics a task reports and which one selects the best checkpoint (greater is better). */
export interface TaskMetricSpec {
  metrics: readonly TaskMetricName[];
  selectionMetric: string;
  /** scikit-learn's `average` for f1 (default "binary", which refuses more than two classes). */
  f1Average?: F1Average;
}

/** Accepts HF config names (`sst2`, `stsb`) and GLUE spellings (`SST-2`, `STS-B`, `MNLI-m`). */
export function glueMetricConfig(task: string): GlueMetricConfig {
  const key = task.toLowerCase().replace(/[-\s]/g, "");
  const alias: Record<string, GlueMetricConfig> = { mnlim: "mnli_matched", mnlimm: "mnli_mismatched" };
  const name = (alias[key] ?? key) as GlueMetricConfig;
  if (name === ("ax" as string)) {
    throw new Error(
      `GLUE task "ax" has no metric: Hugging Face's glue metric refuses it (the diagnostic set's labels are not ` +
        `public). Known: ${Object.keys(GLUE_METRIC_CONFIGS).join(", ")}`,
    );
  }
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
  if (task.f1Average !== undefined && !(F1_AVERAGES as readonly string[]).includes(task.f1Average)) {
    throw new Error(
      `computeTaskMetrics: unknown f1Average ${JSON.stringify(task.f1Average)}. Known: ${F1_AVERAGES.join(", ")}`,
    );
  }
  return task;
}

/** The metric that picks the best checkpoint, as in the authors' `task_to_best_metric` (without `eval_`). */
export function selectionMetric(task: string | TaskMetricSpec): string {
  return resolveSpec(task).selectionMetric;
}

export interface ComputeTaskMetricsOptions {
  /**
   * Receives the warnings scipy/scikit-learn would give (constant input → NaN, an undefined F1);
   * the trainer's evaluator sends them to the run log. Default: console.warn.
   */
  warn?: MetricWarn;
}

/**
 * Scores predictions as Hugging Face's `run_glue.py` does: class ids (already argmax-ed) or
 * regression values against labels; `combined_score` is the mean when there is more than one
 * metric, so it is NaN when one of them is (STS-B with constant predictions).
 */
export function computeTaskMetrics(
  task: string | TaskMetricSpec,
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: ComputeTaskMetricsOptions = {},
): Record<string, number> {
  const spec = resolveSpec(task);
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const result: Record<string, number> = {};
  for (const m of spec.metrics) {
    result[m] = METRIC_FUNCTIONS[m](predictions, labels, {
      warn,
      ...(spec.f1Average ? { average: spec.f1Average } : {}),
    });
  }
  const values = Object.values(result);
  if (values.length > 1) result.combined_score = values.reduce((s, v) => s + v, 0) / values.length;
  return result;
}
