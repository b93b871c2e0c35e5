export * from "./quadratic-fraction-schedule.js";
export * from "./decoder-freezing-controller.js";
export * from "./definitions.js";
