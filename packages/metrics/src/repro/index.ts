// The "./repro" subpath: metric definitions against hand-computed values and the authors' selection metric per task.
export {
  AUTHORS_SELECTION_METRICS,
  runMetricsRepro,
  type MetricsReproExpected,
  type MetricsReproResult,
} from "./metrics-suite.js";
