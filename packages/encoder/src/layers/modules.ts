import * as tf from "@tensorflow/tfjs-core";
import { gatherRows } from "./flat-gather.js";

/** `nn.Embedding` named by its Hugging Face prefix; the table is `${name}.weight` [num, dim]. */
export class Embedding {
  constructor(
    readonly name: string,
    readonly weight: tf.Variable,
    /** Row that gets no gradient (PyTorch's padding_idx), if any. */
    readonly paddingIdx?: number,
  ) {}

  get numEmbeddings(): number {
    return this.weight.shape[0]!;
  }

  /** ids: int32 [...]; returns [..., dim]. */
  apply(ids: tf.Tensor): tf.Tensor {
    return gatherRows(this.weight, ids, this.paddingIdx);
  }
}

/** `nn.LayerNorm` over the last axis with biased variance, as PyTorch computes it. */
export class LayerNorm {
  constructor(
    readonly name: string,
    readonly weight: tf.Variable,
    readonly bias: tf.Variable,
    readonly eps: number,
  ) {}

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const axis = x.rank - 1;
      const mean = tf.mean(x, axis, true);
      const centered = tf.sub(x, mean);
      const variance = tf.mean(tf.square(centered), axis, true);
      const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(normed, this.weight), this.bias);
    });
  }
}
