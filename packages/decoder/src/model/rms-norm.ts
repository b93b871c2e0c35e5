import * as tf from "@tensorflow/tfjs-core";

/** `LlamaRMSNorm`: `x · rsqrt(mean(x²) + eps) · weight` over the last axis (eps inside the root, no bias). */
export class RmsNorm {
  constructor(
    readonly name: string,
    readonly weight: tf.Variable,
    readonly eps: number,
  ) {}

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const variance = tf.mean(tf.square(x), x.rank - 1, true);
      return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, this.eps))), this.weight);
    });
  }
}
