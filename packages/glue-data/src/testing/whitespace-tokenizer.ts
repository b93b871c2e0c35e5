import type { EncodeOptions, Encoding, Tokenizer } from "@aflora/core";

/**
 * A deterministic BERT-shaped tokenizer for tests and benchmarks: lower-cased whitespace
 * words hashed (FNV-1a) into the vocabulary, `[CLS] a [SEP] (b [SEP])`, token types 0/1,
 * `longest_first` truncation. Not a real model's tokenizer.
 */
export class WhitespaceTokenizer implements Tokenizer {
  readonly padTokenId = 0;
  readonly clsTokenId = 1;
  readonly sepTokenId = 2;

  constructor(
    readonly vocabSize = 1000,
    readonly modelMaxLength = 512,
  ) {}

  wordId(word: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
    return 3 + ((h >>> 0) % (this.vocabSize - 3));
  }

  private words(text: string): number[] {
    return text
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w.length > 0)
      .map((w) => this.wordId(w));
  }

  encode(text: string, pair?: string | null, options: EncodeOptions = {}): Encoding {
    const special = options.addSpecialTokens === false ? 0 : pair != null ? 3 : 2;
    let a = this.words(text);
    let b = pair != null ? this.words(pair) : null;
    const max = options.maxLength;
    if (max !== undefined) {
      let excess = a.length + (b?.length ?? 0) + special - max;
      if (excess > 0 && b === null) a = a.slice(0, Math.max(0, a.length - excess));
      while (excess > 0 && b !== null) {
        if (a.length > b.length) a = a.slice(0, -1);
        else b = b.slice(0, -1);
        excess--;
      }
    }
    const withSpecial = special > 0;
    const first = withSpecial ? [this.clsTokenId, ...a, this.sepTokenId] : a;
    const second = b === null ? [] : withSpecial ? [...b, this.sepTokenId] : b;
    const inputIds = [...first, ...second];
    return {
      inputIds,
      attentionMask: inputIds.map(() => 1),
      tokenTypeIds: [...first.map(() => 0), ...second.map(() => 1)],
    };
  }
}
