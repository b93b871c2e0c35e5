export * from "./task-metrics/index.js";
