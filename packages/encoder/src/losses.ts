import * as tf from "@tensorflow/tfjs-core";
import type { EncoderConfig, ProblemType } from "./config/encoder-config.js";

/** PyTorch CrossEntropyLoss's default ignore_index: rows with this label do not count. */
export const IGNORE_INDEX = -100;

/** The loss a `*ForSequenceClassification` model computes, once the labels' form is known. */
export type LossKind = ProblemType | "deberta-masked-cross-entropy" | "deberta-soft-cross-entropy";

/**
 * Which loss Transformers picks. With `problem_type` set, every family follows it. When it
 * is null, BERT/RoBERTa infer it (1 label → regression, integer labels → single-label,
 * otherwise multi-label) while DeBERTa has its own path (1 label → MSE, one label per row →
 * cross-entropy over rows with label ≥ 0, one row of label weights per example → soft-label CE).
 */
export function resolveLossKind(config: EncoderConfig, labels: Int32Array | Float32Array, batchSize: number): LossKind {
  const c = config.numLabels;
  const perRow = labels.length === batchSize;
  const matrix = labels.length === batchSize * c;
  if (!perRow && !matrix) {
    throw new Error(
      `labels: ${labels.length} values for a batch of ${batchSize} (expected ${batchSize}, or ${batchSize}×${c} for multi-label)`,
    );
  }
  if (config.problemType !== null) return config.problemType;
  if (config.modelType === "deberta-v2") {
    if (c === 1) return "regression";
    return perRow ? "deberta-masked-cross-entropy" : "deberta-soft-cross-entropy";
  }
  if (c === 1) return "regression";
  if (labels instanceof Int32Array && perRow) return "single_label_classification";
  return "multi_label_classification";
}

/**
 * Mean loss over the batch, as the Transformers model returns it. logits [B, C]; labels as
 * in TextBatch (class ids, regression targets, or [B, C] targets row-major).
 */
export function sequenceClassificationLoss(
  config: EncoderConfig,
  logits: tf.Tensor2D,
  labels: Int32Array | Float32Array,
): tf.Scalar {
  const [b, c] = logits.shape;
  const kind = resolveLossKind(config, labels, b);
  return tf.tidy(() => {
    switch (kind) {
      case "regression": {
        if (labels.length !== logits.size) {
          throw new Error(
            `labels: regression needs ${logits.size} targets (batch ${b} × num_labels ${c}), got ${labels.length}`,
          );
        }
        return tf.mean(
          tf.square(tf.sub(tf.reshape(logits, [-1]), tf.tensor1d(Float32Array.from(labels)))),
        ) as tf.Scalar;
      }
      case "single_label_classification":
      case "deberta-masked-cross-entropy": {
        if (labels.length !== b)
          throw new Error(`labels: single-label classification needs ${b} class ids, got ${labels.length}`);
        const skip = (y: number) => (kind === "single_label_classification" ? y === IGNORE_INDEX : y < 0);
        const onehot = new Float32Array(b * c);
        let count = 0;
        for (let i = 0; i < b; i++) {
          const y = labels[i]!;
          if (skip(y)) continue;
          if (!Number.isInteger(y) || y < 0 || y >= c)
            throw new Error(`labels[${i}] = ${y} is not a class id in 0..${c - 1}`);
          onehot[i * c + y] = 1;
          count++;
        }
        // DeBERTa returns 0 when no row is labelled; PyTorch's mean over nothing would be NaN.
        if (count === 0)
          return kind === "deberta-masked-cross-entropy"
            ? (tf.mul(tf.sum(logits), 0) as tf.Scalar)
            : tf.scalar(Number.NaN);
        const picked = tf.sum(tf.mul(tf.logSoftmax(logits), tf.tensor2d(onehot, [b, c])));
        return tf.div(tf.neg(picked), count) as tf.Scalar;
      }
      case "deberta-soft-cross-entropy": {
        const target = tf.tensor2d(Float32Array.from(labels), [b, c]);
        return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), target), -1))) as tf.Scalar;
      }
      case "multi_label_classification": {
        if (labels.length !== b * c)
          throw new Error(`labels: multi-label classification needs ${b}×${c} targets, got ${labels.length}`);
        const y = tf.tensor2d(Float32Array.from(labels), [b, c]);
        // BCEWithLogits in its stable form: max(x, 0) − x·y + log(1 + e^−|x|).
        const terms = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
        return tf.mean(terms) as tf.Scalar;
      }
    }
  });
}
