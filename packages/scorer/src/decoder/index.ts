export * from "./decoder-window-stats.js";
export * from "./aflora-decoder-scorer.js";
export * from "./definitions.js";
