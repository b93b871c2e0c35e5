import "reflect-metadata";

export * from "./backend-name.js";
export * from "./events.js";
export * from "./tokens.js";
export * from "./run-info.js";
export * from "./trainer-plugin.js";
export * from "./freezing.js";
export * from "./tokenizer.js";
export * from "./model.js";
export * from "./parameter-registry.js";
export * from "./plugin-registry.js";
export * from "./nn/linear.js";
export * from "./data.js";
export * from "./random/rng.js";
export * from "./random/kaiming.js";
export * from "./io/safetensors.js";
export * from "./io/atomic.js";
