export * from "./tokenizer/index.js";
export * from "./pytorch-bin/index.js";
export * from "./hub/index.js";
