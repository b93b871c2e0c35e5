import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SentencePieceProcessor } from "./processor.js";

/** Ids from the `sentencepiece` library (tools/fixtures/sentencepiece_fixtures.py); no Python at test time. */
const dir = new URL("../../../../../fixtures/tokenizers/sentencepiece/", import.meta.url).pathname;
const strings = JSON.parse(readFileSync(`${dir}strings.json`, "utf8")) as string[];
const MODELS = [
  "unigram-nmt-nfkc",
  "unigram-nmt-nfkc-bytes",
  "unigram-nmt-nfkc-cf",
  "unigram-nmt-nfkc-noescape",
  "unigram-nfkc-user",
  "unigram-identity",
  "unigram-rules-tsv",
  "bpe-identity-bytes",
  "bpe-nmt-nfkc",
] as const;

const load = (name: string) =>
  SentencePieceProcessor.fromBytes(new Uint8Array(readFileSync(`${dir}${name}.model`)), `${name}.model`);

function mismatches(actual: (s: string) => unknown, inputs: string[], expected: unknown[]): string[] {
  const out: string[] = [];
  inputs.forEach((s, i) => {
    const got = actual(s);
    if (JSON.stringify(got) !== JSON.stringify(expected[i]))
      out.push(`${JSON.stringify(s)}: ${JSON.stringify(got)} ≠ ${JSON.stringify(expected[i])}`);
  });
  return out;
}

describe("SentencePieceProcessor matches the sentencepiece library exactly", () => {
  it(`the fixtures hold ${strings.length} edge-case strings (emoji ZWJ, combining marks, spaces, controls, <0x41>)`, () => {
    expect(strings.length).toBeGreaterThan(3000);
    for (const s of ["👩\u200d💻", "e\u1aba\u0300", "\u200d", "\ua7f2", "<0x41>", "\u0000", " ".repeat(64)])
      expect(strings).toContain(s);
  });

  for (const name of MODELS) {
    it(`${name}: ids of every string`, () => {
      const sp = load(name);
      const expected = JSON.parse(readFileSync(`${dir}${name}.ids.json`, "utf8")) as number[][];
      expect(expected.length).toBe(strings.length);
      const bad = mismatches((s) => sp.encode(s), strings, expected);
      expect(bad.slice(0, 5), `${bad.length} of ${strings.length} strings differ`).toEqual([]);
    });

    it(`${name}: single code points (normalized text over planes 0-3 and 14, ids on a stride)`, () => {
      const sp = load(name);
      const sweep = JSON.parse(readFileSync(`${dir}${name}.sweep.json`, "utf8")) as {
        normalized: Record<string, string>;
        ids: Record<string, number[]>;
      };
      const idCps = Object.keys(sweep.ids);
      expect(idCps.length).toBeGreaterThan(2000);
      const bad = mismatches(
        (s) => sp.encode(s),
        idCps.map((h) => String.fromCodePoint(parseInt(h, 16))),
        idCps.map((h) => sweep.ids[h]),
      );
      expect(bad.slice(0, 5), `${bad.length} code points differ`).toEqual([]);
      if (Object.keys(sweep.normalized).length === 0) return; // byte-fallback and BPE models: ids only
      const dummy = sp.model.normalizerSpec.addDummyPrefix ? "\u2581" : "";
      const wrong: string[] = [];
      // Every code point of planes 0-3 and 14 (where the charsmaps have rules), every 13th elsewhere.
      for (let cp = 0; cp < 0x110000; cp += cp < 0x40000 || (cp >= 0xe0000 && cp < 0xf0000) ? 1 : 13) {
        if (cp >= 0xd800 && cp <= 0xdfff) continue;
        const c = String.fromCodePoint(cp);
        const want = sweep.normalized[cp.toString(16).toUpperCase()] ?? dummy + c;
        const got = sp.normalize(c);
        if (got !== want && wrong.push(`U+${cp.toString(16)}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`) >= 5)
          break;
      }
      expect(wrong).toEqual([]);
    });
  }
});

describe("SentencePieceProcessor decode and errors", () => {
  it("decodes its own ids back to the normalized text (byte pieces reassembled as UTF-8)", () => {
    for (const name of ["unigram-nmt-nfkc-bytes", "bpe-identity-bytes"]) {
      const sp = load(name);
      // Text that normalization leaves alone: printable, single spaces, no space at the ends.
      const plain = strings.filter(
        (s) =>
          /^[^\s\p{C}\u2581]+( [^\s\p{C}\u2581]+)*$/u.test(s) &&
          sp.normalize(s) === `\u2581${s.replaceAll(" ", "\u2581")}`,
      );
      expect(plain.length, name).toBeGreaterThan(500);
      for (const s of plain) expect(sp.decode(sp.encode(s)), `${name} ${JSON.stringify(s)}`).toBe(s);
    }
  });

  it("decodes unknown and control pieces and the suffix space as the library does", () => {
    // Values printed by sentencepiece 0.1.97's decode for these ids.
    const sp = load("unigram-nmt-nfkc");
    const the = sp.pieceToId("\u2581the");
    expect(sp.decode([sp.unkId, the])).toBe(" \u2047  the");
    expect(sp.decode([the, sp.unkId, the])).toBe("the \u2047  the");
    expect(sp.decode([1, the, 2])).toBe("the");
    const bpe = load("bpe-nmt-nfkc");
    expect(bpe.encode("the cat sat")).toEqual([149, 128, 90]);
    expect(bpe.decode([149, 128, 90])).toBe("the cat sat ");
  });

  it("joins a run of unknown pieces into one, as PopulateSentencePieceText does", () => {
    const sp = load("unigram-nmt-nfkc");
    expect(sp.encodeTokens("\u0f00\u0f01")).toEqual([
      { id: sp.pieceToId("\u2581"), piece: "\u2581" },
      { id: sp.unkId, piece: "\u0f00\u0f01" },
    ]);
  });

  it("refuses word and char models and malformed charsmaps with one clear error", () => {
    const model = load("unigram-identity").model;
    expect(
      () => new SentencePieceProcessor({ ...model, trainerSpec: { ...model.trainerSpec, modelType: 3 } }, "w.model"),
    ).toThrow("w.model: SentencePiece model_type 3 (word) is not supported; unigram (1) and BPE (2) are");
    const bad = {
      ...model,
      normalizerSpec: { ...model.normalizerSpec, precompiledCharsmap: Uint8Array.of(200, 0, 0, 0, 1) },
    };
    expect(() => new SentencePieceProcessor(bad, "c.model")).toThrow(
      "c.model: normalizer_spec.precompiled_charsmap is malformed (trie size 200 does not fit the 5-byte blob)",
    );
  });
});
