import * as tf from "@tensorflow/tfjs-core";

/** [B·S, heads·d] → [heads·B, S, d] (head-major, so per-head products over the whole batch are contiguous). */
export function splitHeads(x: tf.Tensor, b: number, s: number, heads: number): tf.Tensor3D {
  const d = x.shape[x.rank - 1]! / heads;
  return tf.reshape(tf.transpose(tf.reshape(x, [b, s, heads, d]), [2, 0, 1, 3]), [heads * b, s, d]);
}

/** [B·S, heads·d] → [heads·B, d, S]: keys already transposed for a plain matmul. */
export function splitHeadsTransposed(x: tf.Tensor, b: number, s: number, heads: number): tf.Tensor3D {
  const d = x.shape[x.rank - 1]! / heads;
  return tf.reshape(tf.transpose(tf.reshape(x, [b, s, heads, d]), [2, 0, 3, 1]), [heads * b, d, s]);
}

/** [heads·B, S, d] → [B·S, heads·d]. */
export function mergeHeads(x: tf.Tensor, b: number, s: number, heads: number): tf.Tensor2D {
  const d = x.shape[x.rank - 1]!;
  return tf.reshape(tf.transpose(tf.reshape(x, [heads, b, s, d]), [1, 2, 0, 3]), [b * s, heads * d]);
}

/** softmax(scores + keyMask) over keys; scores [heads·B, S, S], keyMask [1, B, 1, S]. */
export function maskedSoftmax(scores: tf.Tensor, keyMask: tf.Tensor, heads: number, b: number, s: number): tf.Tensor3D {
  return tf.tidy(() => {
    const masked = tf.add(tf.reshape(scores, [heads, b, s, s]), keyMask);
    return tf.reshape(tf.softmax(masked), [heads * b, s, s]);
  });
}
