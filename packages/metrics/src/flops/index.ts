export { LINEAR_ROLES, type AdapterShape, type EncoderShape, type LinearRole, type StepFlops } from "./shapes.js";
export { stepFlops } from "./step-flops.js";
export { matrixKey, runFlops, type RunFlops, type RunFlopsInput } from "./run-flops.js";
export { BENCH_METHODS, BENCH_SHAPES, benchAdapter, type BenchMethod } from "./presets.js";
