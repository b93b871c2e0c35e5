import type { EncodeOptions, Encoding, Tokenizer } from "@aflora/core";
import { Tokenizer as TokenizersJs } from "@huggingface/tokenizers";
import { countSpecialTokens, type SpecialTokenTemplate } from "./special-token-template.js";
import { longestFirstLengths } from "./truncation.js";

export interface HfTokenizerSettings {
  /** Where the tokenizer came from, for error messages. */
  source: string;
  template: SpecialTokenTemplate;
  padTokenId: number;
  modelMaxLength: number;
  /** Whether encodings carry token_type_ids (BERT; DeBERTa with type_vocab_size > 0). */
  returnTokenTypeIds: boolean;
}

/**
 * A Hugging Face tokenizer: normalization, pre-tokenization and the subword model run in
 * @huggingface/tokenizers; special tokens, `longest_first` truncation and token types are
 * applied here, because that library neither truncates nor exposes pair templates.
 */
export class HfTokenizer implements Tokenizer {
  readonly padTokenId: number;
  readonly vocabSize: number;
  readonly modelMaxLength: number;
  readonly returnTokenTypeIds: boolean;
  private readonly template: SpecialTokenTemplate;
  private readonly source: string;

  constructor(
    protected readonly inner: TokenizersJs,
    settings: HfTokenizerSettings,
  ) {
    this.template = settings.template;
    this.padTokenId = settings.padTokenId;
    this.modelMaxLength = settings.modelMaxLength;
    this.returnTokenTypeIds = settings.returnTokenTypeIds;
    this.source = settings.source;
    this.vocabSize = inner.get_vocab(true).size;
  }

  /** Subword ids of a text, without special tokens. */
  tokenize(text: string): number[] {
    const ids = this.inner.encode(text, { add_special_tokens: false }).ids;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === undefined)
        throw new Error(
          `${this.source}: ${JSON.stringify(text)} has a token outside the vocabulary and the tokenizer has no unknown token`,
        );
    }
    return ids;
  }

  tokenToId(token: string): number | undefined {
    return this.inner.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.inner.id_to_token(id);
  }

  /** Number of special tokens `encode` adds for a single text or a pair. */
  numSpecialTokens(pair: boolean): number {
    return countSpecialTokens(pair ? this.template.pair : this.template.single);
  }

  encode(text: string, pair?: string | null, options: EncodeOptions = {}): Encoding {
    const addSpecial = options.addSpecialTokens ?? true;
    let a = this.tokenize(text);
    let b = pair === undefined || pair === null ? null : this.tokenize(pair);
    if (options.maxLength !== undefined) {
      const reserved = addSpecial ? this.numSpecialTokens(b !== null) : 0;
      const budget = options.maxLength - reserved;
      if (!Number.isInteger(options.maxLength) || budget < 0) {
        throw new Error(
          `${this.source}: maxLength ${options.maxLength} leaves no room for the text after ${reserved} special tokens`,
        );
      }
      if (b === null) a = a.slice(0, budget);
      else {
        const [na, nb] = longestFirstLengths(a.length, b.length, budget);
        a = a.slice(0, na);
        b = b.slice(0, nb);
      }
    }
    const inputIds: number[] = [];
    const typeIds: number[] = [];
    const pieces = b === null ? this.template.single : this.template.pair;
    for (const p of pieces) {
      if (p.kind === "special") {
        if (!addSpecial) continue;
        for (const id of p.ids) {
          inputIds.push(id);
          typeIds.push(p.typeId);
        }
      } else {
        const ids = p.kind === "A" ? a : b!;
        for (const id of ids) {
          inputIds.push(id);
          typeIds.push(p.typeId);
        }
      }
    }
    const enc: Encoding = { inputIds, attentionMask: new Array<number>(inputIds.length).fill(1) };
    if (this.returnTokenTypeIds) enc.tokenTypeIds = typeIds;
    return enc;
  }

  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    if (ids.length === 0) return "";
    return this.inner.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false });
  }
}
