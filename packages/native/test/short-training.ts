import * as tf from "@tensorflow/tfjs-core";
import { AdamW, Rng, type TextBatch } from "@aflora/core";
import { applyAdapter } from "@aflora/adapter";
import { createEncoderFromConfig, readEncoderConfig } from "@aflora/encoder";

/** A small BERT classifier (2 × 64, 4 heads) with LoRA r = 4, as `aflora train` builds one. */
function buildModel() {
  const config = readEncoderConfig({
    model_type: "bert",
    hidden_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: 128,
    vocab_size: 200,
    max_position_embeddings: 64,
    type_vocab_size: 2,
    hidden_act: "gelu",
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
    num_labels: 3,
  });
  const model = createEncoderFromConfig(config, { seed: 3 });
  const names = model.params.names();
  model.params.freeze(
    names.filter((n) => !/^(bert\.pooler|classifier)\./.test(n)),
    "test",
  );
  applyAdapter(
    model,
    { method: "lora", r: 4, alpha: 8, modulesToSave: ["bert.pooler", "classifier"] },
    { rng: new Rng(7) },
  );
  return model;
}

function batchOf(seed: number): TextBatch {
  const rng = new Rng(100 + seed);
  const batchSize = 4;
  const seqLength = 16;
  const inputIds = Int32Array.from({ length: batchSize * seqLength }, () => rng.nextUint32() % 200);
  const attentionMask = Int32Array.from({ length: batchSize * seqLength }, (_, i) =>
    i % seqLength < 12 + (i % 3) ? 1 : 0,
  );
  const labels = Int32Array.from({ length: batchSize }, () => rng.nextUint32() % 3);
  return { batchSize, seqLength, inputIds, attentionMask, labels };
}

export interface TrainingTrace {
  losses: number[];
  /** Every trainable parameter's values after the last step, by name. */
  params: Map<string, Float32Array>;
}

/** `steps` AdamW steps of the small model on one batch, on the current backend; everything it makes is disposed. */
export function shortTraining(steps: number): TrainingTrace {
  const model = buildModel();
  const optimizer = new AdamW(model.params, { lr: 1e-3, weightDecay: 0.01, betas: [0.9, 0.999], eps: 1e-8 });
  const losses: number[] = [];
  try {
    const vars = model.params.trainableVariables();
    const batch = batchOf(0);
    for (let s = 0; s < steps; s++) {
      const { loss, grads } = model.lossAndGradients(batch, vars);
      optimizer.step(grads, 1);
      losses.push(loss.dataSync()[0]!);
      tf.dispose([loss, ...grads.values()]);
    }
    const params = new Map<string, Float32Array>();
    for (const name of model.params.names({ trainable: true }))
      params.set(name, model.params.get(name).variable.dataSync() as Float32Array);
    return { losses, params };
  } finally {
    optimizer.dispose();
    model.dispose();
    model.params.dispose();
  }
}
