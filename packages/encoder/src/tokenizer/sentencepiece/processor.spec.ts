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

const load = (name: string) => SentencePieceProcessor.fromBytes(new Uint8Array(readFileSync(`${dir}${name}.model`)), `${name}.model`);

function mismatches(actual: (s: string) => unknown, inputs: string[], expected: unknown[]): string[] {
  const out: string[] = [];
  inputs.forEach((s, i) => {
    const got = actual(s);
    if (JSON.stringify(got) !== JSON.stringify(expected[i])) out.push(`${JSON.stringify(s)}: ${JSON.stringify(got)} ≠ ${JSON.stringify(expected[i])}`);
  });
  return out;
}

describe("SentencePieceProcessor matches the sentencepiece library exactly", () => {
  it(`the fixtures hold ${strings.length} edge-case strings (emoji ZWJ, combining marks, spaces, controls, <0x41>)`, () => {
    expect(strings.length).toBeGreaterThan(3000);
    for (const s of ["👩\u200d💻", "e\u1aba\u0300", "\u200d", "\ua7f2", "<0x41>", "\u0000", " ".repeat(64)]) expect(strings).toContain(s);
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
      const sweep = JSON.parse(readFileSync(`${dir}${name}.sweep.json`, "utf8")) as { normalized: Record<string, string>; ids: Record<string, number[]> };
      const idCps = Object.keys(sweep.ids);
      expect(idCps.length).toBeGreaterThan(2000);
      const bad = mismatches((s) => sp.encode(s), idCps.map((h) => String.fromCodePoint(parseInt(h, 16))), idCps.map((h) => sweep.ids[h]));
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
        if (got !== want && wrong.push(`U+${cp.toString(16)}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`) >= 5) break;
      }
      expect(wrong).toEqual([]);
    });
  }
});
