import type { Evaluator, TrainableModel } from "@aflora/core";
import * as tf from "@tensorflow/tfjs-core";
import { IGNORE_INDEX, type TokenizedExample } from "../tokenize/tokenize-example.js";
import { collate, type CollateOptions, type InstructBatch } from "./collate.js";

/**
 * HF's causal-LM loss of one batch from the model's logits [B, S, V]: the logits at position t
 * predict the label at t + 1; mean over labels that are not −100. NaN when nothing is labelled.
 */
export function causalLmLoss(logits: tf.Tensor, batch: InstructBatch): number {
  const { batchSize: B, seqLength: S, labels } = batch;
  const V = logits.shape[logits.shape.length - 1]!;
  if (logits.size !== B * S * V)
    throw new Error(`causalLmLoss: logits of shape [${logits.shape}] for a batch of ${B}×${S} tokens`);
  const pairs: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let t = 0; t + 1 < S; t++) {
      const label = labels[b * S + t + 1]!;
      if (label === IGNORE_INDEX) continue;
      pairs.push(b * S + t, label);
    }
  }
  if (pairs.length === 0) return Number.NaN;
  const loss = tf.tidy(() => {
    const logProbs = tf.logSoftmax(tf.reshape(logits, [B * S, V]));
    return tf.neg(tf.mean(tf.gatherND(logProbs, tf.tensor2d(pairs, [pairs.length / 2, 2], "int32"))));
  });
  const value = loss.dataSync()[0]!;
  loss.dispose();
  return value;
}

/**
 * The held-out loss the authors' trainer reports as `eval_loss` (finetune.py's val_set_size
 * examples, tokenized like the training data): the mean of per-batch losses weighted by batch
 * size, as HF Trainer averages them. Batches with no labelled token are left out.
 * Selection (greater is better): `neg_loss` = −loss, i.e. the lowest loss is the best checkpoint,
 * as `load_best_model_at_end` with HF's default metric_for_best_model "loss".
 */
export class ValidationLossEvaluator implements Evaluator<InstructBatch> {
  readonly selectionMetric = "neg_loss";

  constructor(
    readonly examples: readonly TokenizedExample[],
    private readonly options: CollateOptions & { batchSize: number },
  ) {
    if (examples.length === 0) throw new Error("ValidationLossEvaluator: no validation examples");
  }

  evaluate(model: TrainableModel<InstructBatch>): Record<string, number> {
    model.setTraining?.(false);
    let sum = 0;
    let count = 0;
    try {
      for (let i = 0; i < this.examples.length; i += this.options.batchSize) {
        const batch = collate(this.examples.slice(i, i + this.options.batchSize), this.options);
        const logits = model.predict(batch);
        let loss: number;
        try {
          loss = causalLmLoss(logits, batch);
        } finally {
          logits.dispose();
        }
        if (Number.isNaN(loss)) continue;
        sum += loss * batch.batchSize;
        count += batch.batchSize;
      }
    } finally {
      model.setTraining?.(true);
    }
    const loss = count > 0 ? sum / count : Number.NaN;
    return { loss, neg_loss: -loss };
  }
}
