export interface Encoding {
  inputIds: number[];
  attentionMask: number[];
  /** Present when the model uses token types (BERT, DeBERTa with type_vocab_size > 0). */
  tokenTypeIds?: number[];
}

export interface EncodeOptions {
  /** Truncate to this many tokens including special tokens (strategy `longest_first` for pairs). */
  maxLength?: number;
  addSpecialTokens?: boolean;
}

/** A Hugging Face-compatible tokenizer (implemented by @aflora/encoder). Synchronous on purpose: it runs in the batching hot path. */
export interface Tokenizer {
  readonly padTokenId: number;
  readonly vocabSize: number;
  readonly modelMaxLength: number;
  encode(text: string, pair?: string | null, options?: EncodeOptions): Encoding;
  decode?(ids: readonly number[]): string;
}
