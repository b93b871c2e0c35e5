// The AFLoRA freezing score: sensitivity smoothed and weighted by its uncertainty.
export { WindowedEma, type UncertaintyMode, type WindowState } from "./windowed-ema.js";
export { SmoothedScorer } from "./smoothed-scorer.js";
export { AFLORA_DEFAULTS, AfloraScorer, type SmoothedScorerOptions } from "./aflora-scorer.js";

// Scorers for ablations (sensitivity alone, gradient norm, magnitude, random).
export { SensitivityScorer } from "./sensitivity-scorer.js";
export { GradNormScorer, type GradNormScorerOptions } from "./grad-norm-scorer.js";
export { MagnitudeScorer } from "./magnitude-scorer.js";
export { RandomScorer } from "./random-scorer.js";

// Plugins for core's registry.
export { register, registerScorers, scorerDefinitions, type ScorerName } from "./register.js";

// Decoders (LLaMA): the windowed AFLoRA scorer.
export {
  AFLORA_DECODER_SCORER_DEFAULTS,
  AfloraDecoderScorer,
  decoderScorerDefinitions,
  type AfloraDecoderScorerOptions,
  type DecoderScoreLog,
  type DecoderUncertaintyMode,
  type DecoderWindowState,
} from "./decoder/index.js";
