export { checkClassIds, checkPair, type MetricOptions, type MetricWarn } from "./check.js";
export { accuracy, f1, F1_AVERAGES, matthewsCorrelation, type F1Average, type F1Options } from "./classification.js";
export { averageRanks, pearson, spearman } from "./correlation.js";
export {
  computeTaskMetrics,
  GLUE_METRIC_CONFIGS,
  glueMetricConfig,
  selectionMetric,
  TASK_METRIC_NAMES,
  type ComputeTaskMetricsOptions,
  type GlueMetricConfig,
  type TaskMetricName,
  type TaskMetricSpec,
} from "./task-metrics.js";
