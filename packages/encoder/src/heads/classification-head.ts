import * as tf from "@tensorflow/tfjs-core";
import type { DropoutContext } from "../layers/dropout.js";

export interface HeadOutput {
  /** The classifier's input before its last dropout: BERT pooler output, RoBERTa tanh(dense), DeBERTa ContextPooler output. [B, P] */
  pooled: tf.Tensor2D;
  /** [B, num_labels] */
  logits: tf.Tensor2D;
}

/** A sequence-classification head reading the first token of the last hidden state [B·S, H]. */
export interface ClassificationHead {
  apply(last: tf.Tensor2D, batchSize: number, seqLength: number, ctx: DropoutContext): HeadOutput;
}

/** h[:, 0] of a [B·S, H] tensor → [B, H]. */
export function firstToken(last: tf.Tensor2D, batchSize: number, seqLength: number): tf.Tensor2D {
  const h = last.shape[1];
  return tf.tidy(() => tf.slice(tf.reshape(last, [batchSize, seqLength * h]), [0, 0], [batchSize, h]) as tf.Tensor2D);
}
