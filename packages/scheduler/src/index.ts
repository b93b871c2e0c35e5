export * from "./freezing-controller.js";
export * from "./create-freezing-controller.js";
export * from "./register.js";
export * from "./schedules/polynomial-schedule.js";
export * from "./schedules/at-epoch-schedule.js";
export * from "./schedules/never-schedule.js";
export * from "./schedules/from-start-schedule.js";
export { cube, pyFloorDiv } from "./exact-math.js";
export { kthSmallest } from "./kth-smallest.js";
export { defaultPairKey } from "./pair-key.js";
export { runFreezingRepro, type ReproResults } from "./repro/run-freezing-repro.js";
export { formatReproResults, printReproResults } from "./repro/print.js";
export {
  replayScenario,
  freezingConfigOf,
  MEAN_RELATIVE_TOLERANCE,
  type ScenarioResult,
} from "./repro/replay-scenario.js";
export {
  validateScenario,
  FixtureFormatError,
  type ReferenceScenario,
  type ReferenceStep,
} from "./repro/fixture-format.js";
export * from "./decoder/index.js";
