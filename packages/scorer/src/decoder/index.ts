export {
  decoderUncertaintyMode,
  DecoderWindowStats,
  hasNonFinite,
  type DecoderUncertaintyMode,
  type DecoderWindowState,
} from "./decoder-window-stats.js";
export {
  AFLORA_DECODER_SCORER_DEFAULTS,
  AfloraDecoderScorer,
  type AfloraDecoderScorerOptions,
  type DecoderScoreLog,
} from "./aflora-decoder-scorer.js";
export { afloraDecoderScorerDefinition, decoderScorerDefinitions } from "./definitions.js";
