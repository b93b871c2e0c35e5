import { readFile, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { debertaV2TokenizerJson } from "./convert-sentencepiece.js";
import {
  parseSentencePieceModel,
  PieceType,
  writeSentencePieceModel,
  type SentencePieceModel,
} from "./sentencepiece-model.js";

const fixtures = new URL("../../../../fixtures/tokenizers/", import.meta.url).pathname;
const { NORMAL, UNKNOWN, CONTROL } = PieceType;

/** The DeBERTa-v3 layout in miniature: [PAD] [CLS] [SEP] [UNK] first, then scored pieces. */
const TINY_SPM: SentencePieceModel = {
  pieces: [
    ["[PAD]", 0, CONTROL],
    ["[CLS]", 0, CONTROL],
    ["[SEP]", 0, CONTROL],
    ["[UNK]", 0, UNKNOWN],
    ["\u2581", -2, NORMAL],
    ["\u2581the", -1, NORMAL],
    ["\u2581cat", -1.5, NORMAL],
    ["s", -2.5, NORMAL],
    ["\u2581sat", -1.75, NORMAL],
    ["\u2581on", -1.25, NORMAL],
    ["\u2581mat", -2.25, NORMAL],
    [".", -1.875, NORMAL],
    ["\u2581c", -3, NORMAL],
    ["a", -3, NORMAL],
    ["t", -3, NORMAL],
    ["\u2581ca", -3.5, NORMAL],
    ["at", -2.75, NORMAL],
    ["\u2581m", -3.125, NORMAL],
    ["\u2581s", -3.125, NORMAL],
    ["e", -3, NORMAL],
  ].map(([piece, score, type]) => ({ piece: piece as string, score: score as number, type: type as number })),
  trainerSpec: {
    modelType: 1,
    unkId: 3,
    bosId: 1,
    eosId: 2,
    padId: 0,
    byteFallback: false,
    splitDigits: false,
    treatWhitespaceAsSuffix: false,
  },
  normalizerSpec: {
    name: "identity",
    precompiledCharsmap: new Uint8Array(0),
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
    escapeWhitespaces: true,
  },
};

describe("SentencePiece ModelProto", () => {
  it("the committed fixtures/tokenizers/deberta-v3-spm/spm.model is exactly what the writer produces", async () => {
    const bytes = writeSentencePieceModel(TINY_SPM);
    const path = `${fixtures}deberta-v3-spm/spm.model`;
    if (process.env["AFLORA_WRITE_FIXTURES"]) await writeFile(path, bytes);
    expect(new Uint8Array(await readFile(path))).toEqual(bytes);
  });

  it("encodes the wire format byte by byte as protobuf does", () => {
    const one: SentencePieceModel = {
      ...TINY_SPM,
      pieces: [{ piece: "a", score: -1, type: NORMAL }],
      trainerSpec: { ...TINY_SPM.trainerSpec, unkId: 0 },
    };
    const bytes = writeSentencePieceModel(one);
    // field 1 (pieces), length 10: [field 1 "a"] [field 2 float32 -1.0 LE] [field 3 varint 1]
    expect([...bytes.subarray(0, 12)]).toEqual([0x0a, 10, 0x0a, 1, 0x61, 0x15, 0x00, 0x00, 0x80, 0xbf, 0x18, 1]);
    // trainer_spec.pad_id = 0 is field 43: key varint (43 << 3) = 344 → 0xd8 0x02
    const padId: SentencePieceModel = { ...one, trainerSpec: { ...one.trainerSpec, padId: -1 } };
    const b = writeSentencePieceModel(padId);
    const at = b.findIndex((x, i) => x === 0xd8 && b[i + 1] === 0x02);
    // int32 -1 is a 10-byte varint
    expect([...b.subarray(at + 2, at + 12)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(parseSentencePieceModel(b, "x").trainerSpec.padId).toBe(-1);
  });

  it("round-trips pieces, scores, types and the trainer/normalizer specs", () => {
    const parsed = parseSentencePieceModel(writeSentencePieceModel(TINY_SPM), "tiny");
    expect(parsed).toEqual(TINY_SPM);
  });

  it("applies proto2 defaults for fields a model leaves out", () => {
    // Only one piece and nothing else: unk_id 0, add_dummy_prefix/remove_extra_whitespaces true.
    const m = parseSentencePieceModel(Uint8Array.of(0x0a, 3, 0x0a, 1, 0x78), "bare");
    expect(m.pieces).toEqual([{ piece: "x", score: 0, type: NORMAL }]);
    expect(m.trainerSpec).toMatchObject({ modelType: 1, unkId: 0, bosId: 1, eosId: 2, padId: -1 });
    expect(m.normalizerSpec).toMatchObject({
      addDummyPrefix: true,
      removeExtraWhitespaces: true,
      escapeWhitespaces: true,
    });
  });

  it("rejects an unk_id outside the pieces", () => {
    const bad = { ...TINY_SPM, trainerSpec: { ...TINY_SPM.trainerSpec, unkId: 20 } };
    expect(() => parseSentencePieceModel(writeSentencePieceModel(bad), "bad.model")).toThrow(
      /bad\.model: trainer_spec\.unk_id 20 is outside the 20 pieces/,
    );
  });

  it("rejects truncated and non-SentencePiece input with one clear error", () => {
    const bytes = writeSentencePieceModel(TINY_SPM);
    expect(() => parseSentencePieceModel(bytes.subarray(0, 50), "cut.model")).toThrow(
      /cut\.model: not a SentencePiece model: .*\(truncated\?\)/,
    );
    expect(() => parseSentencePieceModel(new TextEncoder().encode('{"not": "proto"}'), "json.model")).toThrow(
      /json\.model/,
    );
    expect(() => parseSentencePieceModel(new Uint8Array(0), "empty.model")).toThrow(/empty\.model: no pieces/);
  });

  it("converts like DebertaV2Converter: Unigram vocab, control pieces as added tokens, [MASK] appended", () => {
    const json = debertaV2TokenizerJson(TINY_SPM, "tiny", {
      special: { cls: "[CLS]", sep: "[SEP]", pad: "[PAD]", unk: "[UNK]", mask: "[MASK]", additional: [] },
    });
    expect(json.model).toMatchObject({ type: "Unigram", unk_id: 3 });
    expect((json.model["vocab"] as unknown[]).length).toBe(20);
    expect(json.added_tokens.map((t) => [t.id, t.content, t.special, t.normalized])).toEqual([
      [0, "[PAD]", true, false],
      [1, "[CLS]", true, false],
      [2, "[SEP]", true, false],
      [3, "[UNK]", true, true],
      [20, "[MASK]", true, false],
    ]);
    expect(json.normalizer).toEqual({
      type: "Sequence",
      normalizers: [
        { type: "Strip", strip_left: true, strip_right: true },
        { type: "Replace", pattern: { Regex: " {2,}" }, content: " " },
      ],
    });
    expect(json.pre_tokenizer).toEqual({
      type: "Sequence",
      pretokenizers: [{ type: "Metaspace", replacement: "\u2581", prepend_scheme: "always", split: true }],
    });
    const bpe = { ...TINY_SPM, trainerSpec: { ...TINY_SPM.trainerSpec, modelType: 2 } };
    expect(() => debertaV2TokenizerJson(bpe, "bpe.model", { special: { additional: [] } })).toThrow(
      /bpe\.model: SentencePiece model_type 2 is not unigram/,
    );
  });
});
