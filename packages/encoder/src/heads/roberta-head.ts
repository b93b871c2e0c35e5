import * as tf from "@tensorflow/tfjs-core";
import type { Linear } from "@aflora/core";
import { dropout, type DropoutContext } from "../layers/dropout.js";
import { firstToken, type ClassificationHead, type HeadOutput } from "./classification-head.js";

/** `RobertaClassificationHead`: dropout → dense → tanh → dropout → out_proj (no pooler in the base model). */
export class RobertaClassificationHead implements ClassificationHead {
  constructor(
    readonly dense: Linear,
    readonly outProj: Linear,
    readonly classifierDropout: number,
  ) {}

  apply(last: tf.Tensor2D, b: number, s: number, ctx: DropoutContext): HeadOutput {
    return tf.tidy(() => {
      const x = dropout(firstToken(last, b, s), this.classifierDropout, ctx, "classifier.dropout.0");
      const pooled = tf.tanh(this.dense.apply(x)) as tf.Tensor2D;
      const logits = this.outProj.apply(
        dropout(pooled, this.classifierDropout, ctx, "classifier.dropout.1"),
      ) as tf.Tensor2D;
      return { pooled, logits };
    });
  }
}
