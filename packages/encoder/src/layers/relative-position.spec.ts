import { describe, expect, it } from "vitest";
import { readEncoderConfig } from "../config/read-config.js";
import type { DebertaV2Config } from "../config/encoder-config.js";
import {
  buildRelativePosition,
  flatRelativeIndices,
  logBucketPosition,
  relEmbeddingIndex,
} from "./relative-position.js";

describe("DeBERTa relative positions", () => {
  it("log buckets: identity within mid, log-spaced beyond, odd in r (bucket 256, range 512: deberta-v3-base)", () => {
    expect([0, 1, -5, 128, -128].map((r) => logBucketPosition(r, 256, 512))).toEqual([0, 1, -5, 128, -128]);
    // ceil(log(r/128) / log(511/128) · 127) + 128, by hand in float64 (no value sits near an integer here)
    for (const r of [129, 200, 300, 511]) {
      const v = Math.ceil((Math.log(r / 128) / Math.log(511 / 128)) * 127) + 128;
      expect(logBucketPosition(r, 256, 512)).toBe(v);
      expect(logBucketPosition(-r, 256, 512)).toBe(-v);
    }
  });

  it("index = clamp(bucket(i − j) + span, 0, 2·span − 1), asymmetric at the ends", () => {
    const cfg = readEncoderConfig({
      model_type: "deberta-v2",
      relative_attention: true,
      max_relative_positions: 3,
      max_position_embeddings: 16,
    }) as DebertaV2Config;
    expect([...buildRelativePosition(1, 6, -1, 3)]).toEqual([0, -1, -2, -3, -4, -5]);
    const idx = relEmbeddingIndex(cfg, 6);
    // row i = 5: r = 5..0 → 8, 7, 6, 5, 4, 3 clamped to ≤ 5
    expect([...idx.slice(30, 36)]).toEqual([5, 5, 5, 5, 4, 3]);
    // row 0: r = 0..−5 → 3, 2, 1, 0, −1, −2 clamped to ≥ 0
    expect([...idx.slice(0, 6)]).toEqual([3, 2, 1, 0, 0, 0]);
  });

  it("flat indices address row i (c2p) or row j (p2c) of each [S, 2·span] block", () => {
    const index = Int32Array.from([0, 1, 2, 3]); // S = 2
    expect([...flatRelativeIndices(index, 2, 4, 2, "c2p")]).toEqual([0, 1, 6, 7, 8, 9, 14, 15]);
    expect([...flatRelativeIndices(index, 2, 4, 2, "p2c")]).toEqual([0, 5, 2, 7, 8, 13, 10, 15]);
  });
});
