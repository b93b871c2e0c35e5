import { describe, expect, it } from "vitest";
import { encodeExamples } from "../encode/encode-examples.js";
import type { Example } from "../read/example.js";
import { WhitespaceTokenizer } from "../testing/whitespace-tokenizer.js";
import { TextBatchSource } from "./text-batch-source.js";

const tok = new WhitespaceTokenizer();
const w = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}`).join(" ");

async function dataset(lengths: number[], pair = false) {
  const examples: Example[] = lengths.map((n, i) => ({
    textA: w(n, `a${i}_`),
    textB: pair ? w(2, `b${i}_`) : null,
    label: i % 3,
  }));
  return encodeExamples(examples, tok, { maxSeqLength: 8, regression: false });
}

describe("WhitespaceTokenizer", () => {
  it("truncates pairs longest_first and sets token types", () => {
    const enc = tok.encode("a b c d e f", "x y", { maxLength: 7 });
    // 6 + 2 words + 3 specials = 11 > 7: four tokens go, each from the longer side (always a)
    expect(enc.inputIds.length).toBe(7);
    expect(enc.inputIds).toEqual([1, tok.wordId("a"), tok.wordId("b"), 2, tok.wordId("x"), tok.wordId("y"), 2]);
    expect(enc.tokenTypeIds).toEqual([0, 0, 0, 0, 1, 1, 1]);
  });
});

describe("encodeExamples + TextBatchSource", () => {
  it("truncates to maxSeqLength and pads each batch to its longest example", async () => {
    const data = await dataset([1, 3, 10, 2, 4]);
    expect(Array.from(data.offsets)).toEqual([0, 3, 8, 16, 20, 26]); // lengths 3, 5, 8 (truncated), 4, 6
    const src = new TextBatchSource(data, { batchSize: 2, padTokenId: 0, seed: 1, shuffle: false });
    const batches = [...src.epoch(0)];
    expect(src.batchesPerEpoch).toBe(3);
    expect(batches.map((b) => [b.batchSize, b.seqLength])).toEqual([
      [2, 5],
      [2, 8],
      [1, 6],
    ]);
    const b0 = batches[0]!;
    expect(Array.from(b0.attentionMask)).toEqual([1, 1, 1, 0, 0, 1, 1, 1, 1, 1]);
    expect(Array.from(b0.inputIds.slice(0, 5))).toEqual([1, tok.wordId("a0_0"), 2, 0, 0]);
    expect(Array.from(b0.labels!)).toEqual([0, 1]);
    expect(b0.labels).toBeInstanceOf(Int32Array);
    expect(b0.examples).toBe(2);
    expect(b0.tokenTypeIds).toBeInstanceOf(Int32Array);
  });

  it("pads to max length when asked (pad_to_max_length)", async () => {
    const data = await dataset([1, 2], true);
    const [b] = [
      ...new TextBatchSource(data, { batchSize: 2, padTokenId: 0, seed: 1, shuffle: false, padToMaxLength: 8 }).epoch(
        0,
      ),
    ];
    expect(b!.seqLength).toBe(8);
    // [CLS] a0 [SEP] b0 b1 [SEP] → token types 0 0 0 1 1 1, then padding 0
    expect(Array.from(b!.tokenTypeIds!.slice(0, 8))).toEqual([0, 0, 0, 1, 1, 1, 0, 0]);
    expect(Array.from(b!.attentionMask.slice(0, 8))).toEqual([1, 1, 1, 1, 1, 1, 0, 0]);
  });

  it("shuffles with the seed: same seed same epochs, epochs differ, every example once", async () => {
    const data = await dataset(Array.from({ length: 50 }, (_, i) => 1 + (i % 6)));
    const a = new TextBatchSource(data, { batchSize: 8, padTokenId: 0, seed: 42 });
    const b = new TextBatchSource(data, { batchSize: 8, padTokenId: 0, seed: 42 });
    const c = new TextBatchSource(data, { batchSize: 8, padTokenId: 0, seed: 43 });
    const flat = (s: TextBatchSource, e: number) => s.epochIndices(e).flatMap((x) => Array.from(x));
    expect(flat(a, 0)).toEqual(flat(b, 0));
    expect(flat(a, 3)).toEqual(flat(b, 3));
    expect(flat(a, 0)).not.toEqual(flat(a, 1));
    expect(flat(a, 0)).not.toEqual(flat(c, 0));
    expect([...flat(a, 1)].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const sizes = a.epochIndices(0).map((x) => x.length);
    expect(sizes).toEqual([8, 8, 8, 8, 8, 8, 2]); // drop_last = false
    expect([...a.epoch(0)].map((x) => x.batchSize)).toEqual(sizes);
  });

  it("groups by length: less padding, same examples, longest batch first", async () => {
    const lengths = Array.from({ length: 64 }, (_, i) => 1 + ((i * 7) % 6));
    const data = await dataset(lengths);
    const plain = new TextBatchSource(data, { batchSize: 8, padTokenId: 0, seed: 5 });
    const grouped = new TextBatchSource(data, { batchSize: 8, padTokenId: 0, seed: 5, groupByLength: true });
    const padding = (s: TextBatchSource) =>
      [...s.epoch(0)].reduce((p, b) => p + b.batchSize * b.seqLength - b.attentionMask.reduce((x, y) => x + y, 0), 0);
    expect(padding(grouped)).toBeLessThan(padding(plain));
    const flat = grouped.epochIndices(0).flatMap((x) => Array.from(x));
    expect([...flat].sort((x, y) => x - y)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    const seqs = [...grouped.epoch(0)].map((b) => b.seqLength);
    expect(seqs[0]).toBe(Math.max(...seqs));
    expect(grouped.epochIndices(2)).toEqual(
      new TextBatchSource(data, { batchSize: 8, padTokenId: 0, seed: 5, groupByLength: true }).epochIndices(2),
    );
  });

  it("regression labels stay Float32", async () => {
    const data = await encodeExamples([{ textA: "a b", textB: "c", label: 3.25 }], tok, {
      maxSeqLength: 8,
      regression: true,
    });
    const [b] = [...new TextBatchSource(data, { batchSize: 4, padTokenId: 0, seed: 0 }).epoch(0)];
    expect(b!.labels).toBeInstanceOf(Float32Array);
    expect(b!.labels![0]).toBe(3.25);
  });
});
