import type { EncodeOptions, Encoding, Tokenizer } from "@aflora/core";
import { Tokenizer as TokenizersJs } from "@huggingface/tokenizers";
import { decodeUtf8PerByte } from "./utf8-replace.js";

export interface LlamaTokenizerSettings {
  /** Where the tokenizer came from, for error messages. */
  source: string;
  bosTokenId: number | null;
  eosTokenId: number | null;
  /** Padding id; LLaMA has none, so 0 (`<unk>`) as LLM-Adapters sets it. */
  padTokenId: number;
  /** `add_bos_token` (LlamaTokenizer default true) and `add_eos_token` (default false). */
  addBosToken: boolean;
  addEosToken: boolean;
  modelMaxLength: number;
  /** Ids decoded as nothing (control pieces: `<s>`, `</s>`). */
  controlIds: ReadonlySet<number>;
  unkTokenId: number | null;
}

const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

/**
 * `LlamaTokenizer` behaviour over a SentencePiece BPE vocabulary: subwords by
 * @huggingface/tokenizers' BPE with byte fallback; `<s>` (and `</s>` with add_eos_token)
 * added here; decoding as SentencePiece does it (control pieces vanish, `<unk>` is " ⁇ ",
 * byte runs are UTF-8 with one U+FFFD per bad byte, the dummy-prefix space is dropped).
 */
export class LlamaTokenizer implements Tokenizer {
  readonly padTokenId: number;
  readonly vocabSize: number;
  readonly modelMaxLength: number;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  private readonly pieces: string[];

  constructor(
    private readonly inner: TokenizersJs,
    readonly settings: LlamaTokenizerSettings,
  ) {
    this.padTokenId = settings.padTokenId;
    this.modelMaxLength = settings.modelMaxLength;
    this.bosTokenId = settings.bosTokenId;
    this.eosTokenId = settings.eosTokenId;
    const vocab = inner.get_vocab(true);
    this.vocabSize = vocab.size;
    this.pieces = [];
    for (const [piece, id] of vocab) this.pieces[id] = piece;
  }

  /** Subword ids without special tokens; the empty string has none. */
  tokenize(text: string): number[] {
    if (text.length === 0) return [];
    const ids: (number | undefined)[] = this.inner.encode(text, { add_special_tokens: false }).ids;
    if (ids.some((id) => id === undefined))
      throw new Error(`${this.settings.source}: ${JSON.stringify(text)} has a token outside the vocabulary`);
    return ids as number[];
  }

  /** The pieces (`▁Hello`, `<0x0A>`) of `ids`. */
  idsToPieces(ids: readonly number[]): string[] {
    return ids.map((id) => this.pieces[id] ?? "");
  }

  encode(text: string, pair?: string | null, options: EncodeOptions = {}): Encoding {
    const special = options.addSpecialTokens ?? true;
    const part = (t: string): number[] => {
      const ids = this.tokenize(t);
      if (!special) return ids;
      const bos = this.settings.addBosToken && this.bosTokenId !== null ? [this.bosTokenId] : [];
      const eos = this.settings.addEosToken && this.eosTokenId !== null ? [this.eosTokenId] : [];
      return [...bos, ...ids, ...eos];
    };
    let inputIds = part(text);
    if (pair !== undefined && pair !== null) inputIds = [...inputIds, ...part(pair)];
    if (options.maxLength !== undefined) inputIds = inputIds.slice(0, options.maxLength);
    return { inputIds, attentionMask: inputIds.map(() => 1) };
  }

  /** SentencePiece's decode of `ids` (with `skipSpecialTokens`, control and unknown ids are dropped). */
  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    let out = "";
    let atStart = true;
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length === 0) return;
      out += decodeUtf8PerByte(bytes);
      bytes = [];
      atStart = false;
    };
    for (const id of ids) {
      if (this.settings.controlIds.has(id)) continue;
      if (id === this.settings.unkTokenId) {
        if (options.skipSpecialTokens) continue;
        flush();
        out += " \u2047 ";
        atStart = false;
        continue;
      }
      const piece = this.pieces[id];
      if (piece === undefined)
        throw new Error(`${this.settings.source}: decode: id ${id} is outside the vocabulary (${this.vocabSize})`);
      const byte = BYTE_PIECE.exec(piece);
      if (byte) {
        bytes.push(parseInt(byte[1]!, 16));
        continue;
      }
      flush();
      let surface = piece;
      // The dummy prefix: only the first visible piece loses its leading ▁ (" leading" is ▁ + ▁leading).
      if (atStart && surface.startsWith("\u2581")) surface = surface.slice(1);
      out += surface.replaceAll("\u2581", " ");
      atStart = false;
    }
    flush();
    return out;
  }
}
