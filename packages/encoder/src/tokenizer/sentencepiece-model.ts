import protobuf from "protobufjs";

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
    /** nmt_nfkc, nfkc, nmt_nfkc_cf, nfkc_cf, identity, or a user rule set's name */
    name: string;
    precompiledCharsmap: Uint8Array;
    addDummyPrefix: boolean;
    removeExtraWhitespaces: boolean;
    escapeWhitespaces: boolean;
  };
}

// The fields of sentencepiece_model.proto (proto2) that encoding reads; the rest are skipped as unknown.
// Every field says "proto2": protobufjs otherwise gives fields implicit presence and drops zeros when writing.
const field = (id: number, type: string, defaultValue?: unknown) =>
  defaultValue === undefined
    ? { id, type, edition: "proto2" }
    : { id, type, edition: "proto2", options: { default: defaultValue } };
const root = protobuf.Root.fromJSON({
  nested: {
    ModelProto: {
      fields: {
        pieces: { rule: "repeated", ...field(1, "SentencePiece") },
        trainerSpec: field(2, "TrainerSpec"),
        normalizerSpec: field(3, "NormalizerSpec"),
      },
    },
    SentencePiece: { fields: { piece: field(1, "string"), score: field(2, "float", 0), type: field(3, "int32", 1) } },
    TrainerSpec: {
      fields: {
        modelType: field(3, "int32", 1),
        treatWhitespaceAsSuffix: field(24, "bool", false),
        splitDigits: field(25, "bool", false),
        byteFallback: field(35, "bool", false),
        unkId: field(40, "int32", 0),
        bosId: field(41, "int32", 1),
        eosId: field(42, "int32", 2),
        padId: field(43, "int32", -1),
      },
    },
    NormalizerSpec: {
      fields: {
        name: field(1, "string", ""),
        precompiledCharsmap: field(2, "bytes"),
        addDummyPrefix: field(3, "bool", true),
        removeExtraWhitespaces: field(4, "bool", true),
        escapeWhitespaces: field(5, "bool", true),
      },
    },
  },
});
const ModelProto = root.lookupType("ModelProto");
const TRAINER_DEFAULTS = root
  .lookupType("TrainerSpec")
  .toObject(root.lookupType("TrainerSpec").create(), { defaults: true });
const NORMALIZER_DEFAULTS = root
  .lookupType("NormalizerSpec")
  .toObject(root.lookupType("NormalizerSpec").create(), { defaults: true });

interface DecodedModel {
  pieces?: { piece?: string; score?: number; type?: number }[];
  trainerSpec?: Partial<SentencePieceModel["trainerSpec"]>;
  normalizerSpec?: Partial<Omit<SentencePieceModel["normalizerSpec"], "precompiledCharsmap">> & {
    precompiledCharsmap?: Uint8Array;
  };
}

/** Parses `spm.model` bytes (a serialized ModelProto) with protobufjs. */
export function parseSentencePieceModel(bytes: Uint8Array, source: string): SentencePieceModel {
  let decoded: DecodedModel;
  try {
    decoded = ModelProto.toObject(ModelProto.decode(bytes), { defaults: false }) as DecodedModel;
  } catch (e) {
    const msg = (e as Error).message;
    const hint = /index out of range/.test(msg) ? " (truncated?)" : "";
    throw new Error(`${source}: not a SentencePiece model: ${msg}${hint}`);
  }
  const pieces = (decoded.pieces ?? []).map((p, i) => {
    if (typeof p.piece !== "string") throw new Error(`${source}: piece ${i} has no text`);
    return { piece: p.piece, score: p.score ?? 0, type: p.type ?? PieceType.NORMAL };
  });
  const ns = { ...NORMALIZER_DEFAULTS, ...decoded.normalizerSpec } as SentencePieceModel["normalizerSpec"];
  const model: SentencePieceModel = {
    pieces,
    trainerSpec: { ...TRAINER_DEFAULTS, ...decoded.trainerSpec } as SentencePieceModel["trainerSpec"],
    normalizerSpec: {
      name: ns.name,
      precompiledCharsmap: Uint8Array.from(decoded.normalizerSpec?.precompiledCharsmap ?? []),
      addDummyPrefix: ns.addDummyPrefix,
      removeExtraWhitespaces: ns.removeExtraWhitespaces,
      escapeWhitespaces: ns.escapeWhitespaces,
    },
  };
  if (model.pieces.length === 0) throw new Error(`${source}: no pieces; not a SentencePiece model`);
  const { unkId } = model.trainerSpec;
  if (unkId < 0 || unkId >= model.pieces.length) {
    throw new Error(`${source}: trainer_spec.unk_id ${unkId} is outside the ${model.pieces.length} pieces`);
  }
  return model;
}

/** Serializes a model (every field written explicitly); tests and fixture builders use it. */
export function writeSentencePieceModel(m: SentencePieceModel): Uint8Array {
  const ns = m.normalizerSpec;
  const message = ModelProto.fromObject({
    pieces: m.pieces,
    trainerSpec: m.trainerSpec,
    normalizerSpec: {
      name: ns.name,
      ...(ns.precompiledCharsmap.length > 0 ? { precompiledCharsmap: ns.precompiledCharsmap } : {}),
      addDummyPrefix: ns.addDummyPrefix,
      removeExtraWhitespaces: ns.removeExtraWhitespaces,
      escapeWhitespaces: ns.escapeWhitespaces,
    },
  });
  return Uint8Array.from(ModelProto.encode(message).finish());
}
