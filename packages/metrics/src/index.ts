export * from "./task-metrics/index.js";
// Reporters: run report (events.jsonl → report.json/report.md), plots, progress, run comparison.
export * from "./report/event-json.js";
export * from "./report/run-report.js";
export * from "./report/format.js";
export * from "./report/markdown.js";
export * from "./report/paper-table.js";
export * from "./report/compare.js";
export * from "./run-folder/write-report.js";
export * from "./plots/matrix-position.js";
export * from "./plots/specs.js";
export * from "./plots/render.js";
export * from "./plots/write-plots.js";
export * from "./progress/progress-line.js";
export * from "./progress/progress-reporter.js";
export * from "./flops/index.js";
export * from "./repro/metrics-suite.js";
