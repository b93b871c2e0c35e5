import * as tf from "@tensorflow/tfjs-core";
import { reshapeLean } from "@aflora/core";
import { groupedMatMul } from "./grouped-matmul.js";

/** Per-slice multiply-adds from which N plain 2-D matmuls beat one batched matmul on wasm. */
const PER_SLICE_MIN_MACS = 1 << 22;

/**
 * a [N, m, k] · b [N, k, n] → [N, m, n]. On wasm, large slices (long sequences) run as N plain
 * 2-D matmuls (see groupedMatMul); small ones (per-example attention at S ≤ 128) stay one
 * batched matmul, where the per-op overhead of N small matmuls would eat the gain.
 */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [n, m, k] = a.shape;
  const p = b.shape[2];
  if (tf.getBackend() !== "wasm" || m * k * p < PER_SLICE_MIN_MACS) return tf.matMul(a, b);
  return tf.tidy(() =>
    reshapeLean<tf.Rank.R3>(
      groupedMatMul(reshapeLean<tf.Rank.R2>(a, [n * m, k]), reshapeLean<tf.Rank.R2>(b, [n * k, p]), n),
      [n, m, p],
    ),
  );
}
