export { SentencePieceProcessor, type SentencePieceToken } from "./processor.js";
export { SentencePieceNormalizer, type NormalizerSpec, type SentencePieceNormalizerOptions } from "./normalizer.js";
export { HfPrecompiledNormalizer } from "./hf-precompiled.js";
export { parsePrecompiledCharsmap, type PrecompiledCharsmap } from "./charsmap.js";
export { DoubleArray } from "./double-array.js";
export { bytePiece } from "./pieces.js";
