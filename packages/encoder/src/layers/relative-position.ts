import { attentionSpan, maxRelativePositions, type DebertaV2Config } from "../config/encoder-config.js";

const f32 = Math.fround;

/**
 * DeBERTa's log-bucketed relative position of r = i − j (HF `make_log_bucket_position`),
 * evaluated in float32 as PyTorch does, so the integer table matches exactly.
 */
export function logBucketPosition(r: number, bucketSize: number, maxPosition: number): number {
  const mid = Math.floor(bucketSize / 2);
  const abs = Math.abs(r);
  if (abs <= mid) return r;
  const logRatio = f32(Math.log(f32(abs / mid)));
  const logRange = f32(Math.log(f32((maxPosition - 1) / mid)));
  const scaled = f32(f32(logRatio / logRange) * (mid - 1));
  return Math.sign(r) * (Math.ceil(scaled) + mid);
}

/** HF `build_relative_position`: [queries, keys] table of bucket(i − j), row-major. */
export function buildRelativePosition(
  queries: number,
  keys: number,
  bucketSize: number,
  maxPosition: number,
): Int32Array {
  const out = new Int32Array(queries * keys);
  const bucketed = bucketSize > 0 && maxPosition > 0;
  for (let i = 0; i < queries; i++) {
    for (let j = 0; j < keys; j++) {
      const r = i - j;
      out[i * keys + j] = bucketed ? logBucketPosition(r, bucketSize, maxPosition) : r;
    }
  }
  return out;
}

/**
 * Row of the rel-embedding table used by both c2p and p2c for (query i, key j):
 * clamp(bucket(i − j) + span, 0, 2·span − 1). [S, S], row-major.
 */
export function relEmbeddingIndex(config: DebertaV2Config, seqLength: number): Int32Array {
  const span = attentionSpan(config);
  const rel = buildRelativePosition(seqLength, seqLength, config.positionBuckets, maxRelativePositions(config));
  const out = new Int32Array(rel.length);
  for (let k = 0; k < rel.length; k++) out[k] = Math.min(Math.max(rel[k]! + span, 0), 2 * span - 1);
  return out;
}

/**
 * Flat indices into a [N, S, 2·span] score table (N = heads × batch) that pick, for every
 * (n, i, j), the entry of row `i` (c2p) or row `j` (p2c) at column idx(i, j). A flat
 * gather replaces the batched gather, which the wasm backend gets wrong (tfjs#8658).
 */
export function flatRelativeIndices(
  index: Int32Array,
  seqLength: number,
  span2: number,
  n: number,
  kind: "c2p" | "p2c",
): Int32Array {
  const s = seqLength;
  const out = new Int32Array(n * s * s);
  for (let b = 0; b < n; b++) {
    const base = b * s * s;
    for (let i = 0; i < s; i++) {
      for (let j = 0; j < s; j++) {
        const row = kind === "c2p" ? i : j;
        out[base + i * s + j] = (b * s + row) * span2 + index[i * s + j]!;
      }
    }
  }
  return out;
}
