import * as tf from "@tensorflow/tfjs-core";

/** `inv_freq[i] = 1 / rope_theta^(2i/d)` in float32, as `LlamaRotaryEmbedding` computes it. */
export function ropeInvFreq(headDim: number, ropeTheta: number): Float32Array {
  const out = new Float32Array(headDim / 2);
  for (let i = 0; i < out.length; i++) {
    const exponent = Math.fround((2 * i) / headDim);
    out[i] = Math.fround(1 / Math.fround(Math.pow(Math.fround(ropeTheta), exponent)));
  }
  return out;
}

/**
 * cos and sin [B, 1, S, d] for position ids [B·S]: `angle = p · inv_freq` in float32,
 * `cat(angle, angle)`: the half layout that HF's `rotate_half` pairs with (dimension i with i + d/2).
 */
export function rotaryTables(positionIds: Int32Array, batchSize: number, seqLength: number, invFreq: Float32Array): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  const half = invFreq.length;
  const d = 2 * half;
  const cos = new Float32Array(batchSize * seqLength * d);
  const sin = new Float32Array(cos.length);
  for (let t = 0; t < batchSize * seqLength; t++) {
    const p = positionIds[t]!;
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * invFreq[i]!);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[t * d + i] = c;
      cos[t * d + half + i] = c;
      sin[t * d + i] = s;
      sin[t * d + half + i] = s;
    }
  }
  return { cos: tf.tensor4d(cos, [batchSize, 1, seqLength, d]), sin: tf.tensor4d(sin, [batchSize, 1, seqLength, d]) };
}

/** `q·cos + rotate_half(q)·sin` with `rotate_half(x) = cat(−x[d/2:], x[:d/2])`; x: [B, heads, S, d]. */
export function applyRotary(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const half = x.shape[3] / 2;
    const [x1, x2] = tf.split(x, [half, half], 3);
    const rotated = tf.concat([tf.neg(x2!), x1!], 3);
    return tf.add(tf.mul(x, cos), tf.mul(rotated, sin)) as tf.Tensor4D;
  });
}
