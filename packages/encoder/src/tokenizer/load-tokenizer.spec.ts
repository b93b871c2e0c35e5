import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTokenizer } from "./load-tokenizer.js";
import { longestFirstLengths } from "./truncation.js";

const dir = (name: string) => new URL(`../../../../fixtures/tokenizers/${name}`, import.meta.url).pathname;

// Every id below is worked out by hand from the fixture vocabularies (see fixtures/tokenizers/README.md).
describe("BERT WordPiece (tokenizer.json)", async () => {
  const tok = await loadTokenizer(dir("bert-wordpiece"));

  it("lower-cases, strips accents, splits punctuation and word pieces", () => {
    expect(tok.tokenize("The cats sat on the mat.")).toEqual([5, 6, 10, 7, 8, 5, 9, 13]);
    expect(tok.tokenize("A dog playing!")).toEqual([11, 12, 15, 16, 14]);
    expect(tok.tokenize("Café xyz")).toEqual([19, 1]);
    expect(tok.tokenize("the [MASK] sat")).toEqual([5, 4, 7]);
  });

  it("adds [CLS] a [SEP] b [SEP] with token types 0/1", () => {
    expect(tok.encode("The cats sat on the mat.")).toEqual({
      inputIds: [2, 5, 6, 10, 7, 8, 5, 9, 13, 3],
      attentionMask: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
      tokenTypeIds: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    });
    expect(tok.encode("The cats sat on the mat.", "A dog playing!")).toEqual({
      inputIds: [2, 5, 6, 10, 7, 8, 5, 9, 13, 3, 11, 12, 15, 16, 14, 3],
      attentionMask: new Array(16).fill(1),
      tokenTypeIds: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1],
    });
    expect(tok.encode("the cat", null, { addSpecialTokens: false }).inputIds).toEqual([5, 6]);
  });

  it("truncates pairs longest_first as the fast tokenizers do", () => {
    // 8 + 5 tokens, budget 10 - 3 = 7: both cut, the shorter to 3, the longer to 4.
    expect(tok.encode("The cats sat on the mat.", "A dog playing!", { maxLength: 10 }).inputIds).toEqual([
      2, 5, 6, 10, 7, 3, 11, 12, 15, 3,
    ]);
    // 5 + 5, budget 7: a tie leaves the first with ⌊7/2⌋ = 3 and the second with 4.
    expect(tok.encode("the cat sat on the", "a dog playing !", { maxLength: 10 }).inputIds).toEqual([
      2, 5, 6, 7, 3, 11, 12, 15, 16, 3,
    ]);
    // 2 + 8, budget 5: only the longer is cut, to 5 - 2 = 3.
    expect(tok.encode("the cat", "The cats sat on the mat.", { maxLength: 8 }).inputIds).toEqual([
      2, 5, 6, 3, 5, 6, 10, 3,
    ]);
    // single text: keep maxLength - 2 tokens
    expect(tok.encode("The cats sat on the mat.", null, { maxLength: 5 })).toEqual({
      inputIds: [2, 5, 6, 10, 3],
      attentionMask: [1, 1, 1, 1, 1],
      tokenTypeIds: [0, 0, 0, 0, 0],
    });
    expect(() => tok.encode("the", "cat", { maxLength: 2 })).toThrow(
      /maxLength 2 leaves no room for the text after 3 special tokens/,
    );
  });

  it("reads special tokens and model_max_length from the config files", () => {
    expect(tok.padTokenId).toBe(0);
    expect(tok.modelMaxLength).toBe(16);
    expect(tok.vocabSize).toBe(20);
    expect(tok.decode([2, 5, 6, 10, 3], { skipSpecialTokens: true })).toBe("the cats");
  });

  it("builds the same tokenizer from a bare vocab.txt", async () => {
    const fromVocab = await loadTokenizer(dir("bert-vocab-txt"));
    expect(fromVocab.encode("The cats sat on the mat.", "A dog playing!")).toEqual(
      tok.encode("The cats sat on the mat.", "A dog playing!"),
    );
    expect(fromVocab.tokenize("Café xyz [MASK]")).toEqual([19, 1, 4]);
  });
});

describe("RoBERTa byte-level BPE", async () => {
  const tok = await loadTokenizer(dir("roberta-bpe"));

  it("applies the merges in rank order over byte-level symbols", () => {
    // hello: h e → he, l l → ll, ll o → llo, he llo → hello; " world" → Ġw, or, Ġwor, ld, Ġworld
    expect(tok.tokenize("hello world!")).toEqual([15, 20, 21]);
    // hold: only l d merges
    expect(tok.tokenize("hold")).toEqual([4, 7, 19]);
    // <mask> strips the space on its left
    expect(tok.tokenize("hello <mask>")).toEqual([15, 22]);
  });

  it("adds <s> a </s></s> b </s> and no token types", () => {
    expect(tok.encode("hello world!")).toEqual({ inputIds: [0, 15, 20, 21, 2], attentionMask: [1, 1, 1, 1, 1] });
    expect(tok.encode("hello world!", "hold")).toEqual({
      inputIds: [0, 15, 20, 21, 2, 2, 4, 7, 19, 2],
      attentionMask: new Array(10).fill(1),
    });
    // 4 special tokens for a pair: budget 8 - 4 = 4, 3 + 3 → 2 + 2
    expect(tok.encode("hello world!", "hold", { maxLength: 8 }).inputIds).toEqual([0, 15, 20, 2, 2, 4, 7, 2]);
    expect(tok.padTokenId).toBe(1);
    expect(tok.modelMaxLength).toBe(512);
    expect(tok.decode([0, 15, 20, 21, 2], { skipSpecialTokens: true })).toBe("hello world!");
  });

  it("builds the same tokenizer from vocab.json + merges.txt", async () => {
    const fromFiles = await loadTokenizer(dir("roberta-vocab-merges"));
    expect(fromFiles.encode("hello world!", "hold <mask>")).toEqual({
      inputIds: [0, 15, 20, 21, 2, 2, 4, 7, 19, 22, 2],
      attentionMask: new Array(11).fill(1),
    });
    // no tokenizer_config.json: 66 positions − pad_token_id 1 − 1
    expect(fromFiles.modelMaxLength).toBe(64);
  });
});

describe("DeBERTa-v3 Unigram", async () => {
  const fromJson = await loadTokenizer(dir("deberta-v3-unigram"));
  const fromSpm = await loadTokenizer(dir("deberta-v3-spm"));

  it("segments by the highest total piece score (Viterbi)", () => {
    for (const tok of [fromJson, fromSpm]) {
      // ▁cat + s = −4.0 beats ▁ca + t + s = −9.0 and ▁c + at + s = −8.25
      expect(tok.tokenize("the cats sat on the mat.")).toEqual([5, 6, 7, 8, 9, 5, 10, 11]);
      // ▁ + e + at = −7.75 beats ▁ + e + a + t = −11
      expect(tok.tokenize("eat")).toEqual([4, 19, 16]);
      // extra and surrounding spaces collapse
      expect(tok.tokenize("  the   cat ")).toEqual([5, 6]);
      // "dog" has no pieces: one fused [UNK], as the Rust Unigram model gives
      expect(tok.tokenize("the dog")).toEqual([5, 4, 3]);
      // [MASK] is not an spm piece: it is appended as id 20
      expect(tok.tokenize("the [MASK] sat")).toEqual([5, 20, 8]);
    }
  });

  it("spm.model converts to the same tokenizer as the equivalent tokenizer.json", () => {
    const texts: [string, string | null][] = [
      ["the cats sat on the mat.", null],
      ["the cat", "on the mat"],
      ["a cat eats", "the dog sat."],
    ];
    for (const [a, b] of texts)
      expect(fromSpm.encode(a, b, { maxLength: 9 })).toEqual(fromJson.encode(a, b, { maxLength: 9 }));
    expect(fromSpm.vocabSize).toBe(21);
    expect(fromJson.vocabSize).toBe(21);
  });

  it("adds [CLS] a [SEP] b [SEP]; token types only when the model has a type vocabulary", async () => {
    // config.json: type_vocab_size 0, as in microsoft/deberta-v3-base
    expect(fromSpm.encode("the cat", "on the mat")).toEqual({
      inputIds: [1, 5, 6, 2, 9, 5, 10, 2],
      attentionMask: new Array(8).fill(1),
    });
    const typed = await loadTokenizer(dir("deberta-v3-spm"), { returnTokenTypeIds: true });
    expect(typed.encode("the cat", "on the mat").tokenTypeIds).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(fromSpm.padTokenId).toBe(0);
    expect(fromSpm.modelMaxLength).toBe(24);
    expect(fromSpm.decode([1, 5, 6, 7, 2], { skipSpecialTokens: true })).toBe("the cats");
  });
});

describe("errors", () => {
  it("names the folder and the files it needs when there is no tokenizer", async () => {
    const empty = await mkdtemp(join(tmpdir(), "aflora-tok-"));
    try {
      await expect(loadTokenizer(empty)).rejects.toThrow(
        /no tokenizer found; the folder needs tokenizer\.json, or spm\.model .*vocab\.txt .*vocab\.json \+ merges\.txt/,
      );
      await writeFile(join(empty, "tokenizer.json"), "{ not json");
      await expect(loadTokenizer(empty)).rejects.toThrow(/tokenizer\.json: not valid JSON/);
      await cp(dir("deberta-v3-spm/spm.model"), join(empty, "spm.model"));
      await writeFile(join(empty, "tokenizer.json"), "{}");
      await expect(loadTokenizer(empty)).rejects.toThrow(/tokenizer\.json: no "model" object/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe("hostile or odd tokenizer files", () => {
  const withTemp = async (body: (d: string) => Promise<void>) => {
    const d = await mkdtemp(join(tmpdir(), "aflora-tok-"));
    try {
      await body(d);
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  };

  it("refuses an empty vocab.txt instead of training on all-[UNK] input", () =>
    withTemp(async (d) => {
      await writeFile(join(d, "vocab.txt"), "\n\n");
      await expect(loadTokenizer(d)).rejects.toThrow(`${join(d, "vocab.txt")}: the vocabulary is empty`);
    }));

  it("refuses a tokenizer.json whose model type it does not know, naming the file", () =>
    withTemp(async (d) => {
      const json = JSON.parse(await readFile(join(dir("bert-wordpiece"), "tokenizer.json"), "utf8"));
      json.model.type = "FancyModel";
      await writeFile(join(d, "tokenizer.json"), JSON.stringify(json));
      await expect(loadTokenizer(d)).rejects.toThrow(
        `${join(d, "tokenizer.json")}: model.type "FancyModel" is not supported (supported: BPE, WordPiece, Unigram)`,
      );
    }));

  it("accepts a path to the tokenizer.json file itself, reading the config files beside it", async () => {
    const fromFolder = await loadTokenizer(dir("bert-wordpiece"));
    const fromFile = await loadTokenizer(join(dir("bert-wordpiece"), "tokenizer.json"));
    expect(fromFile.tokenize("The cats sat on the mat.")).toEqual(fromFolder.tokenize("The cats sat on the mat."));
    expect(fromFile.modelMaxLength).toBe(fromFolder.modelMaxLength);
  });
});

describe("longestFirstLengths", () => {
  it("matches tokenizers' truncation.rs on the three cases", () => {
    expect(longestFirstLengths(3, 4, 10)).toEqual([3, 4]);
    expect(longestFirstLengths(2, 9, 6)).toEqual([2, 4]);
    expect(longestFirstLengths(9, 2, 6)).toEqual([4, 2]);
    expect(longestFirstLengths(5, 5, 7)).toEqual([3, 4]);
    expect(longestFirstLengths(6, 5, 7)).toEqual([4, 3]);
    expect(longestFirstLengths(9, 8, 0)).toEqual([0, 0]);
  });
});
