import { PieceType, parseSentencePieceModel, type SentencePieceModel } from "../sentencepiece-model.js";
import { BpeModel } from "./bpe.js";
import { SentencePieceNormalizer } from "./normalizer.js";
import { PieceTable } from "./pieces.js";
import { UnigramModel, type Span } from "./unigram.js";
import { utf8Decoder, utf8Encoder } from "./utf8.js";

/** One token: its id and piece text (for an unknown piece, the normalized text it covers). */
export interface SentencePieceToken {
  id: number;
  piece: string;
}

/**
 * What sentencepiece's SentencePieceProcessor does for `Encode`: normalize with the model's
 * normalizer spec, segment with its unigram or BPE model, and with `byte_fallback` turn each
 * unknown piece into the byte pieces of its UTF-8 bytes.
 */
export class SentencePieceProcessor {
  readonly model: SentencePieceModel;
  readonly normalizer: SentencePieceNormalizer;
  private readonly table: PieceTable;
  private readonly segmenter: { encode(normalized: string): Span[] };

  constructor(model: SentencePieceModel, source = "SentencePiece model") {
    this.model = model;
    this.table = new PieceTable(model, source);
    const type = model.trainerSpec.modelType;
    if (type === 1) this.segmenter = new UnigramModel(this.table);
    else if (type === 2) this.segmenter = new BpeModel(this.table);
    else
      throw new Error(
        `${source}: SentencePiece model_type ${type} (${type === 3 ? "word" : type === 4 ? "char" : "unknown"}) ` +
          "is not supported; unigram (1) and BPE (2) are",
      );
    this.normalizer = new SentencePieceNormalizer(model.normalizerSpec, {
      userDefinedSymbols: this.table.userDefined,
      treatWhitespaceAsSuffix: model.trainerSpec.treatWhitespaceAsSuffix,
      source,
    });
  }

  /** Reads a serialized ModelProto (`spm.model`, LLaMA's `tokenizer.model`). */
  static fromBytes(bytes: Uint8Array, source: string): SentencePieceProcessor {
    return new SentencePieceProcessor(parseSentencePieceModel(bytes, source), source);
  }

  get vocabSize(): number {
    return this.model.pieces.length;
  }

  get unkId(): number {
    return this.table.unkId;
  }

  normalize(text: string): string {
    return this.normalizer.normalize(text);
  }

  encode(text: string): number[] {
    return this.encodeTokens(text).map((t) => t.id);
  }

  encodeAsPieces(text: string): string[] {
    return this.encodeTokens(text).map((t) => t.piece);
  }

  encodeTokens(text: string): SentencePieceToken[] {
    const normalized = this.normalizer.normalize(text);
    const out: SentencePieceToken[] = [];
    const unk = this.table.unkId;
    let prevUnknown = false;
    for (const [start, end, id] of this.segmenter.encode(normalized)) {
      const piece = normalized.slice(start, end);
      if (id === unk && this.table.byteFallback) {
        for (const b of utf8Encoder.encode(piece))
          out.push({ id: this.table.byteIds[b]!, piece: this.model.pieces[this.table.byteIds[b]!]!.piece });
      } else if (id === unk && prevUnknown) {
        // PopulateSentencePieceText joins a run of unknown pieces into one.
        out[out.length - 1]!.piece += piece;
      } else {
        out.push({ id, piece: id === unk ? piece : this.model.pieces[id]!.piece });
      }
      prevUnknown = id === unk;
    }
    return out;
  }

  pieceToId(piece: string): number {
    return this.table.pieceToId(piece);
  }

  idToPiece(id: number): string | undefined {
    return this.model.pieces[id]?.piece;
  }

  /**
   * sentencepiece's DecodeIds: control pieces vanish, the unknown piece reads " ⁇ ", runs of
   * byte pieces are decoded as UTF-8 (an invalid byte as U+FFFD), ▁ becomes a space, and the
   * dummy prefix is dropped from the first piece when it starts with ▁ (never with
   * treat_whitespace_as_suffix, where sentencepiece 0.1.97 keeps the trailing space).
   */
  decode(ids: readonly number[]): string {
    const { addDummyPrefix, escapeWhitespaces } = this.model.normalizerSpec;
    const stripFirst = addDummyPrefix && !this.model.trainerSpec.treatWhitespaceAsSuffix;
    let out = "";
    let first = true;
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length > 0) out += utf8Decoder.decode(Uint8Array.from(bytes));
      bytes = [];
    };
    for (const id of ids) {
      const p = this.model.pieces[id];
      if (!p) throw new Error(`decode: id ${id} is outside the ${this.model.pieces.length} pieces`);
      if (p.type === PieceType.CONTROL) continue;
      if (p.type === PieceType.BYTE) {
        bytes.push(parseInt(p.piece.slice(3, 5), 16));
        first = false;
        continue;
      }
      flush();
      let text = p.type === PieceType.UNKNOWN ? " \u2047 " : p.piece;
      if (first && stripFirst && text.startsWith("\u2581")) text = text.slice(1);
      first = false;
      out += escapeWhitespaces ? text.replaceAll("\u2581", " ") : text;
    }
    flush();
    return out;
  }
}
