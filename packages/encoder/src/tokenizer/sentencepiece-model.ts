import { fieldFloat, fieldString, ProtoWriter, readProtoFields, WIRE_BYTES, WIRE_FIXED32, WIRE_VARINT } from "./protobuf.js";

/** SentencePiece piece types (sentencepiece_model.proto). */
export const PieceType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

export interface SentencePiece {
  piece: string;
  score: number;
  type: number;
}

/** The parts of SentencePiece's ModelProto that decide tokenization, with the proto2 defaults. */
export interface SentencePieceModel {
  pieces: SentencePiece[];
  trainerSpec: {
    /** 1 unigram, 2 BPE, 3 word, 4 char */
    modelType: number;
    unkId: number;
    bosId: number;
    eosId: number;
    padId: number;
    byteFallback: boolean;
    splitDigits: boolean;
    treatWhitespaceAsSuffix: boolean;
  };
  normalizerSpec: {
    name: string;
    precompiledCharsmap: Uint8Array;
    addDummyPrefix: boolean;
    removeExtraWhitespaces: boolean;
    escapeWhitespaces: boolean;
  };
}

/** Parses `spm.model` bytes (a serialized ModelProto). */
export function parseSentencePieceModel(bytes: Uint8Array, source: string): SentencePieceModel {
  const model: SentencePieceModel = {
    pieces: [],
    trainerSpec: { modelType: 1, unkId: 0, bosId: 1, eosId: 2, padId: -1, byteFallback: false, splitDigits: false, treatWhitespaceAsSuffix: false },
    normalizerSpec: { name: "", precompiledCharsmap: new Uint8Array(0), addDummyPrefix: true, removeExtraWhitespaces: true, escapeWhitespaces: true },
  };
  const expect = (f: { wire: number; field: number }, wire: number, what: string) => {
    if (f.wire !== wire) throw new Error(`${source}: ${what} (field ${f.field}) has wire type ${f.wire}, expected ${wire}; not a SentencePiece model?`);
  };
  for (const f of readProtoFields(bytes, source)) {
    if (f.field === 1) {
      expect(f, WIRE_BYTES, "pieces");
      const piece: SentencePiece = { piece: "", score: 0, type: PieceType.NORMAL };
      for (const p of readProtoFields(f.bytes, `${source} piece ${model.pieces.length}`)) {
        if (p.field === 1) {
          expect(p, WIRE_BYTES, "piece");
          piece.piece = fieldString(p, source);
        } else if (p.field === 2) {
          expect(p, WIRE_FIXED32, "score");
          piece.score = fieldFloat(p);
        } else if (p.field === 3) {
          expect(p, WIRE_VARINT, "type");
          piece.type = p.varint;
        }
      }
      model.pieces.push(piece);
    } else if (f.field === 2) {
      expect(f, WIRE_BYTES, "trainer_spec");
      const t = model.trainerSpec;
      for (const p of readProtoFields(f.bytes, `${source} trainer_spec`)) {
        if (p.wire !== WIRE_VARINT) continue;
        if (p.field === 3) t.modelType = p.varint;
        else if (p.field === 40) t.unkId = p.varint;
        else if (p.field === 41) t.bosId = p.varint;
        else if (p.field === 42) t.eosId = p.varint;
        else if (p.field === 43) t.padId = p.varint;
        else if (p.field === 35) t.byteFallback = p.varint !== 0;
        else if (p.field === 25) t.splitDigits = p.varint !== 0;
        else if (p.field === 24) t.treatWhitespaceAsSuffix = p.varint !== 0;
      }
    } else if (f.field === 3) {
      expect(f, WIRE_BYTES, "normalizer_spec");
      const n = model.normalizerSpec;
      for (const p of readProtoFields(f.bytes, `${source} normalizer_spec`)) {
        if (p.field === 1 && p.wire === WIRE_BYTES) n.name = fieldString(p, source);
        else if (p.field === 2 && p.wire === WIRE_BYTES) n.precompiledCharsmap = p.bytes.slice();
        else if (p.field === 3 && p.wire === WIRE_VARINT) n.addDummyPrefix = p.varint !== 0;
        else if (p.field === 4 && p.wire === WIRE_VARINT) n.removeExtraWhitespaces = p.varint !== 0;
        else if (p.field === 5 && p.wire === WIRE_VARINT) n.escapeWhitespaces = p.varint !== 0;
      }
    }
  }
  if (model.pieces.length === 0) throw new Error(`${source}: no pieces; not a SentencePiece model`);
  const { unkId } = model.trainerSpec;
  if (unkId < 0 || unkId >= model.pieces.length) throw new Error(`${source}: trainer_spec.unk_id ${unkId} is outside the ${model.pieces.length} pieces`);
  return model;
}

/** Serializes a model (every field written explicitly); tests and fixture builders use it. */
export function writeSentencePieceModel(m: SentencePieceModel): Uint8Array {
  const w = new ProtoWriter();
  for (const p of m.pieces) w.message(1, new ProtoWriter().string(1, p.piece).float(2, p.score).uint(3, p.type));
  const t = m.trainerSpec;
  w.message(
    2,
    new ProtoWriter()
      .uint(3, t.modelType)
      .bool(24, t.treatWhitespaceAsSuffix)
      .bool(25, t.splitDigits)
      .bool(35, t.byteFallback)
      .uint(40, t.unkId)
      .uint(41, t.bosId)
      .uint(42, t.eosId)
      .uint(43, t.padId),
  );
  const n = m.normalizerSpec;
  const ns = new ProtoWriter().string(1, n.name);
  if (n.precompiledCharsmap.length > 0) ns.bytes(2, n.precompiledCharsmap);
  w.message(3, ns.bool(3, n.addDummyPrefix).bool(4, n.removeExtraWhitespaces).bool(5, n.escapeWhitespaces));
  return w.finish();
}
