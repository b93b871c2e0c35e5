import type { EncodeOptions, Encoding } from "@aflora/core";
import type { CausalTokenizer } from "../src/tokenize/causal-tokenizer.js";

/** A character-level tokenizer with LlamaTokenizer's special ids (<unk> 0 as pad, <s> 1, </s> 2): id = code point + 3. */
export class CharTokenizer implements CausalTokenizer {
  readonly padTokenId = 0;
  readonly bosTokenId = 1;
  readonly vocabSize = 0x110000 + 3;
  readonly modelMaxLength = 1 << 20;
  constructor(readonly eosTokenId: number | null = 2) {}

  encode(text: string, _pair?: string | null, options: EncodeOptions = {}): Encoding {
    const ids = [...text].map((c) => c.codePointAt(0)! + 3);
    const all = options.addSpecialTokens === false ? ids : [this.bosTokenId, ...ids];
    const inputIds = options.maxLength === undefined ? all : all.slice(0, options.maxLength);
    return { inputIds, attentionMask: inputIds.map(() => 1) };
  }

  decode(ids: readonly number[]): string {
    return ids
      .filter((i) => i > 2)
      .map((i) => String.fromCodePoint(i - 3))
      .join("");
  }
}
