// The "./repro" subpath: every GLUE task checked against what the authors' code uses (labels, fields, metrics).
export { AUTHORS_GLUE_TASKS, glueDataReproPredictions, type GlueTaskExpectation } from "./authors-glue-tasks.js";
export { runGlueDataRepro, type GlueDataReproResult } from "./glue-data-suite.js";
