export * from "./check.js";
export * from "./classification.js";
export * from "./correlation.js";
export * from "./task-metrics.js";
