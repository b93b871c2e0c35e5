// The "./repro" subpath of @aflora/scheduler: the reference-trace runners (not part of the main entry).
export { runFreezingRepro, type ReproResults } from "./run-freezing-repro.js";
export { formatReproResults, printReproResults } from "./print.js";
export { runDecoderFreezingRepro } from "./run-decoder-freezing-repro.js";
export { replayDecoderScenario } from "./decoder-replay-scenario.js";
export {
  validateDecoderScenario,
  isDecoderScenarioJson,
  type DecoderScenario,
  type DecoderStep,
} from "./decoder-fixture-format.js";
export { replayScenario, freezingConfigOf, MEAN_RELATIVE_TOLERANCE, type ScenarioResult } from "./replay-scenario.js";
export { validateScenario, FixtureFormatError, type ReferenceScenario, type ReferenceStep } from "./fixture-format.js";
