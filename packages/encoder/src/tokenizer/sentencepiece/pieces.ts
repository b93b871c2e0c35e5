import { PieceType, type SentencePieceModel } from "../sentencepiece-model.js";

/**
 * The piece tables of sentencepiece's ModelBase: NORMAL, USER_DEFINED and UNUSED pieces are
 * what the subword model can produce; CONTROL, UNKNOWN and BYTE pieces are reserved and only
 * reached by id (or by byte fallback).
 */
export class PieceTable {
  readonly model: SentencePieceModel;
  readonly pieces = new Map<string, number>();
  readonly reserved = new Map<string, number>();
  readonly unkId: number;
  readonly byteFallback: boolean;
  /** ids of `<0x00>`…`<0xFF>` when the model has byte fallback */
  readonly byteIds: Int32Array;
  readonly userDefined: string[] = [];

  constructor(model: SentencePieceModel, source: string) {
    this.model = model;
    this.unkId = model.trainerSpec.unkId;
    this.byteFallback = model.trainerSpec.byteFallback;
    let unknown = -1;
    model.pieces.forEach((p, id) => {
      if (p.piece.length === 0) throw new Error(`${source}: piece ${id} is empty`);
      const normal = p.type === PieceType.NORMAL || p.type === PieceType.USER_DEFINED || p.type === PieceType.UNUSED;
      const table = normal ? this.pieces : this.reserved;
      if (table.has(p.piece)) throw new Error(`${source}: piece ${id} ${JSON.stringify(p.piece)} is already defined`);
      table.set(p.piece, id);
      if (p.type === PieceType.USER_DEFINED) this.userDefined.push(p.piece);
      if (p.type === PieceType.UNKNOWN) unknown = id;
      if (p.type === PieceType.BYTE && !this.byteFallback) {
        throw new Error(`${source}: piece ${id} is a byte piece but trainer_spec.byte_fallback is false`);
      }
    });
    if (unknown < 0) throw new Error(`${source}: no piece has type UNKNOWN`);
    if (unknown !== this.unkId)
      throw new Error(`${source}: the UNKNOWN piece is id ${unknown} but trainer_spec.unk_id is ${this.unkId}`);
    this.byteIds = new Int32Array(256).fill(this.unkId);
    if (this.byteFallback) {
      for (let b = 0; b < 256; b++) {
        const id = this.reserved.get(bytePiece(b));
        if (id === undefined)
          throw new Error(`${source}: byte_fallback is on but the byte piece ${bytePiece(b)} is missing`);
        this.byteIds[b] = id;
      }
    }
  }

  /** ModelBase::PieceToId: reserved pieces first, then the others, else the unknown id. */
  pieceToId(piece: string): number {
    return this.reserved.get(piece) ?? this.pieces.get(piece) ?? this.unkId;
  }

  type(id: number): number {
    return this.model.pieces[id]!.type;
  }

  score(id: number): number {
    return this.model.pieces[id]!.score;
  }
}

/** `<0x41>`: the byte piece of sentencepiece's ByteToPiece. */
export function bytePiece(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`;
}
