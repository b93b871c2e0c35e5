import { describe, expect, it } from "vitest";
import { collate } from "./collate.js";

const rows = [
  { inputIds: [1, 5, 6], attentionMask: [1, 1, 1], labels: [-100, 5, 6] },
  { inputIds: [1, 7, 8, 9, 2], attentionMask: [1, 1, 1, 1, 1], labels: [-100, -100, 8, 9, 2] },
];

describe("collate (DataCollatorForSeq2Seq)", () => {
  it("pads to the batch's longest rounded up to pad_to_multiple_of, on the left: ids with the pad id, mask 0, labels -100", () => {
    const b = collate(rows, { padTokenId: 0, paddingSide: "left", padToMultipleOf: 8 });
    expect([b.batchSize, b.seqLength, b.examples]).toEqual([2, 8, 2]);
    expect(b.inputIds).toBeInstanceOf(Int32Array);
    expect([...b.inputIds]).toEqual([0, 0, 0, 0, 0, 1, 5, 6, 0, 0, 0, 1, 7, 8, 9, 2]);
    expect([...b.attentionMask]).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect([...b.labels]).toEqual([-100, -100, -100, -100, -100, -100, 5, 6, -100, -100, -100, -100, -100, 8, 9, 2]);
  });

  it("pads on the right, to the longest row with pad_to_multiple_of 1", () => {
    const b = collate(rows, { padTokenId: 0, paddingSide: "right", padToMultipleOf: 1 });
    expect(b.seqLength).toBe(5);
    expect([...b.inputIds]).toEqual([1, 5, 6, 0, 0, 1, 7, 8, 9, 2]);
    expect([...b.labels.subarray(0, 5)]).toEqual([-100, 5, 6, -100, -100]);
  });

  it("refuses an empty batch and mismatched rows", () => {
    expect(() => collate([], { padTokenId: 0, paddingSide: "left", padToMultipleOf: 8 })).toThrow(
      /at least one example/,
    );
    expect(() =>
      collate([{ inputIds: [1], attentionMask: [1], labels: [] }], {
        padTokenId: 0,
        paddingSide: "left",
        padToMultipleOf: 8,
      }),
    ).toThrow(/example 0/);
  });
});
