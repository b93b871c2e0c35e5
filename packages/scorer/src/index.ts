export * from "./windowed-ema.js";
export * from "./smoothed-scorer.js";
export * from "./aflora-scorer.js";
export * from "./sensitivity-scorer.js";
export * from "./grad-norm-scorer.js";
export * from "./magnitude-scorer.js";
export * from "./random-scorer.js";
export * from "./register.js";
export { readFloat32 } from "./read-tensor.js";
