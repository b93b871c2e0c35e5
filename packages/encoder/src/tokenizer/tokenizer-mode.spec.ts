import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HfTokenizer } from "./hf-tokenizer.js";
import { Tokenizer as TokenizersJs } from "@huggingface/tokenizers";
import { usePrecompiledCharsmap } from "./hf-precompiled-patch.js";
import { loadTokenizer } from "./load-tokenizer.js";
import { splitMergedWithNext, useMetaspaceSplit } from "./metaspace-split.js";
import { HfPrecompiledNormalizer } from "./sentencepiece/hf-precompiled.js";
import { SentencePieceProcessor } from "./sentencepiece/processor.js";
import { PieceType } from "./sentencepiece-model.js";
import { checkTokenizerMode } from "./tokenizer-mode.js";

const fixtures = new URL("../../../../fixtures/tokenizers/", import.meta.url).pathname;
const spmDir = `${fixtures}sentencepiece/`;
const MODEL = "unigram-nmt-nfkc-bytes"; // DeBERTa-v3's setting: nmt_nfkc + byte fallback, [PAD] [CLS] [SEP] [UNK]
const strings = JSON.parse(await readFile(`${spmDir}strings.json`, "utf8")) as string[];
const spmIds = JSON.parse(await readFile(`${spmDir}${MODEL}.ids.json`, "utf8")) as number[][];

/** A DeBERTa-v3 folder as on the Hub: spm.model, no tokenizer.json. */
let folder: string;
let fast: HfTokenizer;
let exact: HfTokenizer;
let sp: SentencePieceProcessor;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "aflora-deberta-v3-"));
  await copyFile(`${spmDir}${MODEL}.model`, join(folder, "spm.model"));
  await writeFile(
    join(folder, "config.json"),
    JSON.stringify({ model_type: "deberta-v2", type_vocab_size: 0, max_position_embeddings: 512 }),
  );
  await writeFile(join(folder, "tokenizer_config.json"), JSON.stringify({ do_lower_case: false, vocab_type: "spm" }));
  fast = await loadTokenizer(folder);
  exact = await loadTokenizer(folder, { mode: "sentencepiece" });
  sp = SentencePieceProcessor.fromBytes(new Uint8Array(await readFile(join(folder, "spm.model"))), "spm.model");
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const UNK = 3;
const id = (tok: HfTokenizer, piece: string) => tok.tokenToId(piece)!;

describe('tokenizer.mode "sentencepiece"', () => {
  it(`gives the sentencepiece library's ids for all ${strings.length} fixture strings, byte fallback included`, () => {
    const bad = strings.filter((s, i) => JSON.stringify(exact.tokenize(s)) !== JSON.stringify(spmIds[i]));
    expect(bad.slice(0, 5), `${bad.length} strings differ`).toEqual([]);
  });

  it("wraps them in [CLS] … [SEP] like the fast tokenizer", () => {
    expect(exact.encode("the cat", "a mat").inputIds).toEqual([
      1,
      ...sp.encode("the cat"),
      2,
      ...sp.encode("a mat"),
      2,
    ]);
    expect(exact.decode(exact.encode("the cat 👩\u200d💻").inputIds, { skipSpecialTokens: true })).toBe(
      "the cat 👩\u200d💻",
    );
  });

  it("fails with one clear error on a folder without a SentencePiece model", async () => {
    await expect(loadTokenizer(`${fixtures}bert-wordpiece`, { mode: "sentencepiece" })).rejects.toThrow(
      /bert-wordpiece: tokenizer\.mode "sentencepiece" needs a SentencePiece model \(spm\.model or tokenizer\.model\)/,
    );
    expect(() => checkTokenizerMode("slow")).toThrow(
      'tokenizer.mode: expected one of "hf-fast", "sentencepiece", got "slow"',
    );
  });
});

describe('tokenizer.mode "hf-fast" (the default for DeBERTa-v3)', () => {
  for (const name of [MODEL, "unigram-nmt-nfkc-cf", "unigram-nfkc-user", "unigram-rules-tsv"]) {
    it(`${name}: DebertaV2TokenizerFast's ids (Transformers 4.57) for all ${strings.length} fixture strings`, async () => {
      const hf = JSON.parse(await readFile(`${spmDir}${name}.hf-fast.ids.json`, "utf8")) as {
        tokenizer_config: Record<string, unknown>;
        ids: number[][];
      };
      expect(hf.ids.length).toBe(strings.length);
      const dir = await mkdtemp(join(tmpdir(), "aflora-hf-fast-"));
      try {
        await copyFile(`${spmDir}${name}.model`, join(dir, "spm.model"));
        await writeFile(join(dir, "tokenizer_config.json"), JSON.stringify(hf.tokenizer_config));
        const tok = await loadTokenizer(dir);
        const bad = strings.filter((s, i) => JSON.stringify(tok.tokenize(s)) !== JSON.stringify(hf.ids[i]));
        expect(bad.slice(0, 5), `${bad.length} strings differ`).toEqual([]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it("maps what sentencepiece byte-falls-back to one [UNK] per run, as HF's fast tokenizer does", () => {
    const text = "the cat \u0f00\u0f01";
    const bytes = sp.encode(text);
    expect(bytes.slice(-6).map((i) => sp.idToPiece(i))).toEqual([
      "<0xE0>",
      "<0xBC>",
      "<0x80>",
      "<0xE0>",
      "<0xBC>",
      "<0x81>",
    ]);
    expect(fast.tokenize(text)).toEqual(
      [...sp.encode("the cat"), id(fast, "\u2581"), UNK].filter(
        (x, i, a) => !(x === id(fast, "\u2581") && a[i + 1] === undefined),
      ),
    );
  });

  it("on ASCII text is sentencepiece with each run of byte pieces turned into one [UNK]", () => {
    // Literal byte pieces and special tokens differ (tests below).
    const ascii = strings.filter(
      (s) => /^[\x20-\x7e]+$/.test(s) && !s.includes("<0x") && !/\[(CLS|SEP|UNK|PAD|MASK)\]/.test(s),
    );
    expect(ascii.length).toBeGreaterThan(150);
    const isByte = (i: number) => sp.model.pieces[i]!.type === PieceType.BYTE;
    for (const s of ascii) {
      const want = sp
        .encode(s)
        .filter((i, k, all) => !isByte(i) || k === 0 || !isByte(all[k - 1]!))
        .map((i) => (isByte(i) ? UNK : i));
      expect(fast.tokenize(s), JSON.stringify(s)).toEqual(want);
    }
  });

  it("matches a literal byte piece such as <0x41> in the text, since the fast tokenizer's vocab holds it (score 0)", () => {
    expect(fast.tokenize("<0x41>")).toEqual([id(fast, "\u2581"), id(fast, "<0x41>")]);
    expect(exact.tokenize("<0x41>")).not.toContain(id(fast, "<0x41>"));
  });

  it("strips Unicode White_Space as Rust's trim does, not U+FEFF (which JavaScript's trim removes)", () => {
    const json = {
      normalizer: { type: "Strip", strip_left: true, strip_right: true },
      pre_tokenizer: null,
      post_processor: null,
      decoder: null,
    };
    const inner = new TokenizersJs(
      { ...json, added_tokens: [], model: { type: "WordPiece", vocab: { x: 0 }, unk_token: "x" } },
      {},
    );
    usePrecompiledCharsmap(inner, "strip.json");
    const normalize = (t: string) =>
      (inner as unknown as { normalizer: { normalize(t: string): string } }).normalizer.normalize(t);
    expect(normalize("\ufeff\u3000x y\u2003\n")).toBe("\ufeff\u3000x y");
    expect(normalize("\u3000x\u00a0")).toBe("x");
    expect(fast.tokenize("\u3000the cat\u2003")).toEqual(fast.tokenize("the cat"));
  });

  it("matches special tokens in the text (the sentencepiece library does not)", () => {
    expect(fast.tokenize("[CLS]")).toEqual([1]);
    expect(exact.tokenize("[CLS]")).toEqual(sp.encode("[CLS]"));
    expect(exact.tokenize("[CLS]")).not.toContain(1);
  });

  it("normalizes with the model's charsmap, not String.normalize: ZWJ kept, U+A7F2 kept, marks not reordered", () => {
    const hf = new HfPrecompiledNormalizer(sp.model.normalizerSpec.precompiledCharsmap);
    for (const kept of ["👩\u200d💻", "\ua7f2", "e\u1aba\u0300"]) expect(hf.normalize(kept)).toBe(kept);
    // @huggingface/tokenizers 0.2.0 alone turned the ZWJ into a space, U+A7F2 into C and reordered the marks.
    expect(fast.tokenize("x\u200dy")).not.toEqual(fast.tokenize("x y"));
    expect(fast.tokenize("\ua7f2")).not.toEqual(fast.tokenize("C"));
    expect(fast.tokenize("ｆｕｌｌ")).toEqual(fast.tokenize("full"));
  });
});

describe("Metaspace split as the Rust pre-tokenizer does it", () => {
  it("starts a word at each ▁ (MergedWithNext)", () => {
    expect(splitMergedWithNext("\u2581a\u2581\u2581b", "\u2581")).toEqual(["\u2581a", "\u2581", "\u2581b"]);
    expect(splitMergedWithNext("ab\u2581c", "\u2581")).toEqual(["ab", "\u2581c"]);
    expect(splitMergedWithNext("\u2581", "\u2581")).toEqual(["\u2581"]);
  });

  it("keeps a piece from spanning two words (a vocabulary with ▁ inside pieces)", async () => {
    const vocab = [
      ["<unk>", 0],
      ["\u2581a", -1],
      ["\u2581b", -1],
      ["a\u2581b", -0.1],
      ["\u2581", -0.5],
      ["a", -2],
      ["b", -2],
    ];
    const json = { type: "Metaspace", replacement: "\u2581", prepend_scheme: "always", split: true };
    const build = (pre: Record<string, unknown>) => {
      const t = new TokenizersJs(
        {
          normalizer: null,
          pre_tokenizer: pre,
          post_processor: null,
          decoder: null,
          added_tokens: [],
          model: { type: "Unigram", unk_id: 0, vocab },
        },
        {},
      );
      useMetaspaceSplit(t, pre);
      return t;
    };
    // Whole-string Viterbi would take "▁" + "a▁b"; per word it is "▁a" "▁b", as in the Rust tokenizer.
    expect(build(json).encode("a b", { add_special_tokens: false }).tokens).toEqual(["\u2581a", "\u2581b"]);
    expect(build({ ...json, split: false }).encode("a b", { add_special_tokens: false }).tokens).toEqual([
      "\u2581",
      "a\u2581b",
    ]);
  });
});

describe("HfPrecompiledNormalizer (Hugging Face's grapheme-wise Precompiled)", () => {
  it("reads the same charsmap as sentencepiece: every BMP code point maps alike once whitespace is handled", async () => {
    const model = sp.model;
    const hf = new HfPrecompiledNormalizer(model.normalizerSpec.precompiledCharsmap);
    const sweep = JSON.parse(await readFile(`${spmDir}unigram-nmt-nfkc.sweep.json`, "utf8")) as {
      normalized: Record<string, string>;
    };
    const wrong: string[] = [];
    for (let cp = 0; cp < 0x10000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      const want = sweep.normalized[cp.toString(16).toUpperCase()] ?? `\u2581${c}`;
      const spaced = hf.normalize(c).replace(/ +/g, " ").replace(/^ | $/g, "");
      const got = spaced === "" ? "" : `\u2581${spaced.replaceAll(" ", "\u2581")}`;
      if (got !== want && wrong.push(`U+${cp.toString(16)}`) > 5) break;
    }
    expect(wrong).toEqual([]);
  });

  it("replaces a short grapheme by its shortest matching rule, as spm_precompiled does", () => {
    const hf = new HfPrecompiledNormalizer(sp.model.normalizerSpec.precompiledCharsmap);
    // U+FF21 (Ａ) + U+0301 is one grapheme of 5 bytes: the rule for Ａ alone replaces the whole cluster,
    // so the accent is lost; sentencepiece takes the longest rule (Ａ + U+0301 → Á).
    expect(hf.normalize("\uff21\u0301")).toBe("A");
    expect(sp.normalize("\uff21\u0301")).toBe("\u2581\u00c1");
    // 6 bytes or more: character by character.
    expect(hf.normalize("\uff21\u0301\u0301")).toBe("A\u0301\u0301");
  });
});

describe("README: Tokenizer modes", () => {
  it("shows the pieces both modes give", () => {
    const pieces = (tok: HfTokenizer, text: string) => tok.tokenize(text).map((i) => tok.idToToken(i));
    const table: [string, string[], string[]][] = [
      ["café ｆｕｌｌ", ["▁café", "▁full"], ["▁café", "▁full"]],
      ["x\u0f00y", ["▁", "x", "[UNK]"], ["▁", "x", "<0xE0>", "<0xBC>", "<0x80>", "<0x79>"]],
      ["<0x41>", ["▁", "<0x41>"], ["▁", "<0x3C>", "0", "x", "4", "1", "<0x3E>"]],
      ["[CLS] the", ["[CLS]", "▁the"], ["▁", "<0x5B>", "C", "<0x4C>", "S", "<0x5D>", "▁the"]],
      ["\uff21\u0301", ["▁", "A"], ["▁", "<0xC3>", "<0x81>"]],
    ];
    for (const [text, hf, spm] of table) {
      expect(pieces(fast, text), text).toEqual(hf);
      expect(pieces(exact, text), text).toEqual(spm);
    }
  });
});
