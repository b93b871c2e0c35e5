export * from "./parity.js";
export type { DecoderParityCheck } from "./parity-checks.js";
export * from "./suite.js";
