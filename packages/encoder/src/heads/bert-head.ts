import * as tf from "@tensorflow/tfjs-core";
import type { Linear } from "@aflora/core";
import { dropout, type DropoutContext } from "../layers/dropout.js";
import { firstToken, type ClassificationHead, type HeadOutput } from "./classification-head.js";

/** `BertPooler` (tanh(dense(h[:,0]))) + dropout + `classifier`. */
export class BertClassificationHead implements ClassificationHead {
  constructor(
    readonly pooler: Linear,
    readonly classifier: Linear,
    readonly classifierDropout: number,
  ) {}

  apply(last: tf.Tensor2D, b: number, s: number, ctx: DropoutContext): HeadOutput {
    return tf.tidy(() => {
      const pooled = tf.tanh(this.pooler.apply(firstToken(last, b, s))) as tf.Tensor2D;
      const logits = this.classifier.apply(
        dropout(pooled, this.classifierDropout, ctx, "classifier.dropout"),
      ) as tf.Tensor2D;
      return { pooled, logits };
    });
  }
}
