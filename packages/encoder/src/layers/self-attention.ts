import * as tf from "@tensorflow/tfjs-core";
import type { Linear } from "@aflora/core";
import type { AttentionContext } from "./attention-context.js";
import { batchMatMul } from "./batch-matmul.js";
import { dropout } from "./dropout.js";
import { mergeHeads, scaledMaskedSoftmax, splitHeads, splitHeadsTransposed } from "./head-split.js";

/** BERT/RoBERTa `*SelfAttention`: softmax(QKᵀ/√d + mask)·V, keys masked only. Returns the context [B·S, H]. */
export class SelfAttention {
  constructor(
    /** e.g. `bert.encoder.layer.0.attention.self` */
    readonly name: string,
    readonly query: Linear,
    readonly key: Linear,
    readonly value: Linear,
    readonly numHeads: number,
    readonly probsDropout: number,
  ) {}

  apply(h: tf.Tensor2D, ctx: AttentionContext): tf.Tensor2D {
    return tf.tidy(() => {
      const { batchSize: b, seqLength: s } = ctx;
      const nh = this.numHeads;
      const d = h.shape[1] / nh;
      const q = splitHeads(this.query.apply(h), b, s, nh);
      const kT = splitHeadsTransposed(this.key.apply(h), b, s, nh);
      const v = splitHeads(this.value.apply(h), b, s, nh);
      const probs = dropout(
        scaledMaskedSoftmax(batchMatMul(q, kT), Math.sqrt(d), ctx.keyMask, nh, b, s),
        this.probsDropout,
        ctx.dropout,
        `${this.name}.dropout`,
      );
      return mergeHeads(batchMatMul(probs as tf.Tensor3D, v), b, s, nh);
    });
  }
}
