import * as tf from "@tensorflow/tfjs-core";

/**
 * a [N, m, k] · b [N, k, n] → [N, m, n]. On wasm it runs as N plain 2-D matmuls, the only
 * form the backend runs on its fast path (batched matmuls fall to a scalar loop there);
 * elsewhere one batched matmul. Same values either way.
 */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (tf.getBackend() !== "wasm" || a.shape[0] === 1) {
    if (a.shape[0] === 1) {
      return tf.tidy(() => tf.expandDims(tf.matMul(tf.squeeze(a, [0]) as tf.Tensor2D, tf.squeeze(b, [0]) as tf.Tensor2D), 0)) as tf.Tensor3D;
    }
    return tf.matMul(a, b);
  }
  return tf.tidy(() => {
    const as = tf.unstack(a) as tf.Tensor2D[];
    const bs = tf.unstack(b) as tf.Tensor2D[];
    return tf.stack(as.map((ai, i) => tf.matMul(ai, bs[i]!))) as tf.Tensor3D;
  });
}
