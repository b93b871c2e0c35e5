import { Tokenizer as TokenizersJs } from "@huggingface/tokenizers";
import { HfTokenizer, type HfTokenizerSettings } from "./hf-tokenizer.js";
import { PieceType } from "./sentencepiece-model.js";
import type { SentencePieceProcessor } from "./sentencepiece/processor.js";

/**
 * `tokenizer.mode: "sentencepiece"`: the subword ids are exactly the `sentencepiece` library's
 * for the folder's `spm.model` (its normalizer, byte fallback included); special tokens, pairs
 * and truncation are those of the Hugging Face tokenizer of the same folder.
 */
export class SentencePieceTokenizer extends HfTokenizer {
  constructor(
    inner: TokenizersJs,
    readonly processor: SentencePieceProcessor,
    settings: HfTokenizerSettings,
  ) {
    super(inner, settings);
  }

  override tokenize(text: string): number[] {
    return this.processor.encode(text);
  }

  /** sentencepiece's decoding of the pieces; control pieces and added tokens spelled out unless skipped. */
  override decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    const { pieces } = this.processor.model;
    let out = "";
    let run: number[] = [];
    for (const id of ids) {
      if (id < pieces.length && pieces[id]!.type !== PieceType.CONTROL) {
        run.push(id);
        continue;
      }
      out += this.processor.decode(run) + (options.skipSpecialTokens ? "" : (this.idToToken(id) ?? ""));
      run = [];
    }
    return out + this.processor.decode(run);
  }
}
