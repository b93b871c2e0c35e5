import * as tf from "@tensorflow/tfjs-core";
import type { Linear } from "@aflora/core";
import type { Activation } from "../layers/activations.js";
import { dropout, type DropoutContext } from "../layers/dropout.js";
import { firstToken, type ClassificationHead, type HeadOutput } from "./classification-head.js";

/** `ContextPooler` (dropout → dense → pooler_hidden_act, no tanh) + dropout + `classifier`. */
export class DebertaClassificationHead implements ClassificationHead {
  constructor(
    readonly pooler: Linear,
    readonly activation: Activation,
    readonly poolerDropout: number,
    readonly classifier: Linear,
    readonly classifierDropout: number,
  ) {}

  apply(last: tf.Tensor2D, b: number, s: number, ctx: DropoutContext): HeadOutput {
    return tf.tidy(() => {
      const x = dropout(firstToken(last, b, s), this.poolerDropout, ctx, "pooler.dropout");
      const pooled = this.activation(this.pooler.apply(x)) as tf.Tensor2D;
      const logits = this.classifier.apply(
        dropout(pooled, this.classifierDropout, ctx, "classifier.dropout"),
      ) as tf.Tensor2D;
      return { pooled, logits };
    });
  }
}
