/**
 * How a SentencePiece vocabulary is applied.
 * - `hf-fast`: what Hugging Face's fast tokenizer (`AutoTokenizer`'s default) gives for the
 *   folder: Strip, the grapheme-wise `Precompiled` normalizer, Metaspace words, the Unigram model
 *   with runs of unknown characters as one `[UNK]` (no byte fallback).
 * - `sentencepiece`: exactly what the `sentencepiece` library gives for `spm.model`, byte
 *   fallback included; special tokens in the text are not matched (add them with the template).
 */
export const TOKENIZER_MODES = ["hf-fast", "sentencepiece"] as const;
export type TokenizerMode = (typeof TOKENIZER_MODES)[number];
export const DEFAULT_TOKENIZER_MODE: TokenizerMode = "hf-fast";

export function checkTokenizerMode(mode: unknown, field = "tokenizer.mode"): TokenizerMode {
  if (!(TOKENIZER_MODES as readonly unknown[]).includes(mode)) {
    throw new Error(
      `${field}: expected one of ${TOKENIZER_MODES.map((m) => `"${m}"`).join(", ")}, got ${JSON.stringify(mode)}`,
    );
  }
  return mode as TokenizerMode;
}
