export { loadTokenizer, TOKENIZER_FILES, SENTENCEPIECE_FILES, type LoadTokenizerOptions } from "./load-tokenizer.js";
export { TOKENIZER_MODES, DEFAULT_TOKENIZER_MODE, checkTokenizerMode, type TokenizerMode } from "./tokenizer-mode.js";
export { SentencePieceTokenizer } from "./sentencepiece-tokenizer.js";
export { usePrecompiledCharsmap } from "./hf-precompiled-patch.js";
export { useMetaspaceSplit, splitMergedWithNext } from "./metaspace-split.js";
export {
  bytePiece,
  DoubleArray,
  HfPrecompiledNormalizer,
  parsePrecompiledCharsmap,
  SentencePieceNormalizer,
  SentencePieceProcessor,
  type NormalizerSpec,
  type PrecompiledCharsmap,
  type SentencePieceNormalizerOptions,
  type SentencePieceToken,
} from "./sentencepiece/index.js";
export { HfTokenizer, type HfTokenizerSettings } from "./hf-tokenizer.js";
export {
  parseSentencePieceModel,
  writeSentencePieceModel,
  PieceType,
  type SentencePieceModel,
  type SentencePiece,
} from "./sentencepiece-model.js";
export { debertaV2TokenizerJson, type DebertaV2ConvertOptions } from "./convert-sentencepiece.js";
export { wordPieceTokenizerJson, byteLevelBpeTokenizerJson } from "./convert-vocab-files.js";
export { longestFirstLengths } from "./truncation.js";
export type { TokenizerJson } from "./tokenizer-json.js";
