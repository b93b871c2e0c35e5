import * as tf from "@tensorflow/tfjs-core";
import { takeRows } from "./flat-gather.js";

/** Per-slice multiply-adds from which N plain 2-D matmuls beat one batched matmul on wasm (measured). */
const PER_SLICE_MIN_MACS = 1 << 22;

/**
 * a [N, m, k] · b [N, k, n] → [N, m, n]. The wasm backend runs only 2-D non-transposed
 * matmuls on its fast path; batched ones fall to a scalar loop. So on wasm, large slices
 * (DeBERTa's per-head position products, [B·S, d]·[d, 2·span]) run as N 2-D matmuls, their
 * operands cut out with takeRows (wasm's slice/unstack copy the whole input per piece);
 * small slices (per-example attention scores) stay batched, where the per-op overhead of
 * N matmuls would dominate. Same values either way.
 */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [n, m, k] = a.shape;
  const p = b.shape[2];
  if (n === 1) return tf.tidy(() => tf.reshape(tf.matMul(tf.reshape(a, [m, k]) as tf.Tensor2D, tf.reshape(b, [k, p]) as tf.Tensor2D), [1, m, p])) as tf.Tensor3D;
  if (tf.getBackend() !== "wasm" || m * k * p < PER_SLICE_MIN_MACS) return tf.matMul(a, b);
  return tf.tidy(() => {
    const a2 = tf.reshape(a, [n * m, k]);
    const b2 = tf.reshape(b, [n * k, p]);
    const outs: tf.Tensor[] = [];
    for (let i = 0; i < n; i++) {
      const ai = takeRows(a2, i * m, m) as tf.Tensor2D;
      const bi = takeRows(b2, i * k, k) as tf.Tensor2D;
      outs.push(tf.matMul(ai, bi));
    }
    return tf.reshape(tf.concat(outs, 0), [n, m, p]) as tf.Tensor3D;
  });
}
