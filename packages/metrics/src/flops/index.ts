export * from "./shapes.js";
export * from "./step-flops.js";
export * from "./run-flops.js";
export * from "./presets.js";
