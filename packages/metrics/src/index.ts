// Task metrics (GLUE definitions, selection metric per task).
export {
  accuracy,
  averageRanks,
  computeTaskMetrics,
  f1,
  F1_AVERAGES,
  GLUE_METRIC_CONFIGS,
  matthewsCorrelation,
  pearson,
  selectionMetric,
  spearman,
  TASK_METRIC_NAMES,
  type ComputeTaskMetricsOptions,
  type F1Average,
  type F1Options,
  type GlueMetricConfig,
  type MetricOptions,
  type MetricWarn,
  type TaskMetricName,
  type TaskMetricSpec,
} from "./task-metrics/index.js";

// The run report: events.jsonl → report.json / report.md, the paper's table, run comparison.
export { eventToRecord, parseEventLines, type EventRecord } from "./report/event-json.js";
export {
  buildRunReport,
  type EvaluationPoint,
  type FrozenMatrix,
  type ParameterInfo,
  type RunReport,
  type RunReportExtras,
  type RunStatus,
} from "./report/run-report.js";
export { formatCount, formatDuration, formatFlops, formatMetric, markdownTable } from "./report/format.js";
export { renderReportMarkdown, type MarkdownOptions } from "./report/markdown.js";
export {
  GLUE_TASKS,
  glueTaskKey,
  PAPER_GLUE_TABLE,
  PAPER_TASK_COLUMNS,
  paperRow,
  paperTaskScore,
  type GlueTaskName,
  type PaperMethod,
  type PaperRow,
} from "./report/paper-table.js";
export { compareRuns, type CompareOptions } from "./report/compare.js";
export { readRunReport, writeRunReport, type WriteReportOptions } from "./run-folder/write-report.js";

// Plots (Vega-Lite specs rendered to SVG/PNG).
export { matrixPosition, type MatrixPosition } from "./plots/matrix-position.js";
export { freezingHeatmapSpec, lossCurveSpec, metricCurvesSpec, trainableParamsSpec } from "./plots/specs.js";
export { renderSvg, svgToPng } from "./plots/render.js";
export { runPlotSpecs, writeRunPlots } from "./plots/write-plots.js";

// The progress line printed while training.
export { formatProgressLine, type ProgressState } from "./progress/progress-line.js";
export { attachProgress, type EventSource, type ProgressOptions } from "./progress/progress-reporter.js";

// FLOPs per step and per run.
export {
  BENCH_SHAPES,
  benchAdapter,
  matrixKey,
  runFlops,
  stepFlops,
  type AdapterShape,
  type BenchMethod,
  type EncoderShape,
  type LinearRole,
  type RunFlops,
  type RunFlopsInput,
  type StepFlops,
} from "./flops/index.js";
