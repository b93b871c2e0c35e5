export {
  QUADRATIC_FRACTION_DEFAULTS,
  QuadraticFractionSchedule,
  type QuadraticFractionDecision,
  type QuadraticFractionScheduleOptions,
} from "./quadratic-fraction-schedule.js";
export { DecoderFreezingController, type DecoderFreezingDecision } from "./decoder-freezing-controller.js";
export {
  createDecoderFreezingController,
  decoderFreezingOptions,
  decoderFreezingPluginDefinition,
  decoderScheduleDefinitions,
  quadraticFractionScheduleDefinition,
  type DecoderFreezingConfig,
} from "./definitions.js";
