// The freezing controller: scores in, freeze decisions out (a core TrainerPlugin).
export {
  FreezingController,
  type FreezeRecordEntry,
  type FreezingControllerOptions,
  type FreezingStepDecision,
  type Granularity,
  type TrainableAccounting,
} from "./freezing-controller.js";
export { createFreezingController, parseFreezingConfig, type FreezingConfig } from "./create-freezing-controller.js";

// Schedules: cubic/linear (the paper's polynomial), at-epoch, never, from-start.
export { CUBIC_DEFAULTS, PolynomialSchedule, type PolynomialScheduleOptions } from "./schedules/polynomial-schedule.js";
export { AtEpochSchedule } from "./schedules/at-epoch-schedule.js";
export { NeverSchedule } from "./schedules/never-schedule.js";
export { FromStartSchedule } from "./schedules/from-start-schedule.js";

// Plugins for core's registry.
export { register, registerSchedules, scheduleDefinitions, type ScheduleName } from "./register.js";

// Decoders (LLaMA): the quadratic-fraction schedule and its controller.
export {
  createDecoderFreezingController,
  DecoderFreezingController,
  decoderScheduleDefinitions,
  QUADRATIC_FRACTION_DEFAULTS,
  QuadraticFractionSchedule,
  type DecoderFreezingConfig,
  type DecoderFreezingDecision,
  type QuadraticFractionDecision,
  type QuadraticFractionScheduleOptions,
} from "./decoder/index.js";

// Exact arithmetic that keeps thresholds equal to the authors' Python bit for bit.
export { cube, pyFloorDiv } from "./exact-math.js";
export { kthSmallest } from "./kth-smallest.js";
export { defaultPairKey } from "./pair-key.js";
