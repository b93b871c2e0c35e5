import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSentencePieceModel } from "@aflora/encoder";
import { afterAll, describe, expect, it } from "vitest";
import { fixture } from "../../test/fixtures.js";
import { loadLlamaTokenizer } from "./load-llama-tokenizer.js";
import { llamaTokenizerJson } from "./sentencepiece-bpe-json.js";
import { decodeUtf8PerByte } from "./utf8-replace.js";

interface Case {
  text: string;
  ids: number[];
  pieces: string[];
  decoded: string;
  byte_fallback: boolean;
}
const folder = fixture("llama-tiny-gqa");
const cases: Case[] = JSON.parse(readFileSync(join(folder, "expected.json"), "utf8")).tokenizer.cases;
const tmp = mkdtempSync(join(tmpdir(), "llama-tok-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the fixture's tokenizer as tokenizer.json only (what LlamaTokenizerFast folders ship). */
function jsonOnlyFolder(): string {
  const dir = join(tmp, "json-only");
  cpSync(folder, dir, { recursive: true });
  const model = parseSentencePieceModel(readFileSync(join(folder, "tokenizer.model")), "tokenizer.model");
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(llamaTokenizerJson(model, "tokenizer.model")));
  rmSync(join(dir, "tokenizer.model"));
  return dir;
}

describe("LlamaTokenizer (SentencePiece BPE with byte fallback)", () => {
  const fromModel = loadLlamaTokenizer(folder);
  const fromJson = loadLlamaTokenizer(jsonOnlyFolder());

  it("has the fixture's 41 cases, byte fallback among them", () => {
    expect(cases).toHaveLength(41);
    expect(cases.filter((c) => c.byte_fallback).length).toBeGreaterThan(10);
  });

  it.each(cases.map((c, i) => [i, JSON.stringify(c.text), c] as const))(
    "case %i %s: ids, pieces and decoded text as LlamaTokenizer",
    (_i, _t, c) => {
      for (const tok of [fromModel, fromJson]) {
        expect(tok.encode(c.text).inputIds).toEqual(c.ids);
        expect(tok.idsToPieces(c.ids)).toEqual(c.pieces);
        expect(tok.decode(c.ids)).toBe(c.decoded);
      }
    },
  );

  it("adds <s> only, as LlamaTokenizer (add_bos_token true, add_eos_token false), and </s> when add_eos_token is set", () => {
    expect(fromModel.encode("A").inputIds[0]).toBe(1);
    expect(fromModel.encode("A").inputIds.at(-1)).not.toBe(2);
    expect(fromModel.encode("A", null, { addSpecialTokens: false }).inputIds).toEqual(fromModel.tokenize("A"));
    const dir = join(tmp, "eos");
    cpSync(folder, dir, { recursive: true });
    const cfg = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8"));
    writeFileSync(
      join(dir, "tokenizer_config.json"),
      JSON.stringify({ ...cfg, add_eos_token: true, add_bos_token: false }),
    );
    const tok = loadLlamaTokenizer(dir);
    expect(tok.encode("A").inputIds).toEqual([...fromModel.tokenize("A"), 2]);
    expect(tok.encode("").inputIds).toEqual([2]);
  });

  it("pads with <unk> (id 0) when the folder sets no pad token, as LLM-Adapters does", () => {
    expect(fromModel.padTokenId).toBe(0);
    expect(fromModel.vocabSize).toBe(448);
    expect(fromModel.modelMaxLength).toBe(128);
  });

  it("decodes as SentencePiece: <unk> is ' ⁇ ', control pieces vanish, skipSpecialTokens drops <unk>", () => {
    const hello = fromModel.tokenize("Hello");
    expect(fromModel.decode([1, ...hello, 2])).toBe("Hello");
    // Only the first visible piece loses the dummy-prefix space.
    expect(fromModel.decode([0, ...hello])).toBe(" \u2047  Hello");
    const space = fromModel.tokenize(" ")[0]!;
    expect(fromModel.idsToPieces([space])).toEqual(["\u2581"]);
    expect(fromModel.decode([space, ...hello])).toBe(" Hello");
    expect(fromModel.decode([0, ...hello], { skipSpecialTokens: true })).toBe("Hello");
    expect(() => fromModel.decode([448])).toThrow(/id 448 is outside the vocabulary/);
  });

  it("turns each invalid UTF-8 byte into one U+FFFD, as SentencePiece does", () => {
    expect(decodeUtf8PerByte([0xf0, 0x9f, 0x98])).toBe("\ufffd\ufffd\ufffd");
    expect(decodeUtf8PerByte([0xf0, 0x9f, 0x98, 0x80, 0x41])).toBe("😀A");
    expect(decodeUtf8PerByte([0xc0, 0x80])).toBe("\ufffd\ufffd");
    expect(decodeUtf8PerByte([0xed, 0xa0, 0x80])).toBe("\ufffd\ufffd\ufffd");
    // <0xE2><0x82> then a normal piece: the cut-off euro sign is two replacement characters.
    const byte = (b: number) => 3 + b; // <0x00> is id 3
    expect(fromModel.decode([byte(0xe2), byte(0x82), ...fromModel.tokenize("A")])).toBe("\ufffd\ufffd A");
  });

  it("names the folder when there is no tokenizer, and rejects a non-BPE model", () => {
    const empty = join(tmp, "empty");
    cpSync(folder, empty, { recursive: true, filter: (src) => !src.endsWith("tokenizer.model") });
    expect(() => loadLlamaTokenizer(empty)).toThrow(/no tokenizer\.model or tokenizer\.json/);
    const byteLevel = join(tmp, "byte-level");
    cpSync(jsonOnlyFolder(), byteLevel, { recursive: true });
    const json = JSON.parse(readFileSync(join(byteLevel, "tokenizer.json"), "utf8"));
    writeFileSync(
      join(byteLevel, "tokenizer.json"),
      JSON.stringify({ ...json, pre_tokenizer: { type: "ByteLevel", add_prefix_space: false } }),
    );
    expect(() => loadLlamaTokenizer(byteLevel)).toThrow(
      /tokenizer\.json: a byte-level BPE tokenizer \(Llama-3 style\) is not supported/,
    );
    const model = parseSentencePieceModel(readFileSync(join(folder, "tokenizer.model")), "x");
    expect(() =>
      llamaTokenizerJson({ ...model, trainerSpec: { ...model.trainerSpec, modelType: 1 } }, "spm.model"),
    ).toThrow(/spm\.model: .*model_type is 1/);
  });
});
