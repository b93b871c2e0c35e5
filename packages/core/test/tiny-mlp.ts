import * as tf from "@tensorflow/tfjs-core";
import "../src/nn/tfjs-gradients.js";
import type { BatchSource, Evaluator } from "../src/data.js";
import type { LossAndGradients, TrainableModel } from "../src/model.js";
import { ParameterRegistry } from "../src/parameter-registry.js";
import { Rng } from "../src/random/rng.js";
import { statefulRng } from "../src/stateful.js";
import type { Json, Stateful } from "../src/trainer-plugin.js";

/** A batch of the synthetic task: 4 features, 3 classes. */
export interface MlpBatch {
  x: Float32Array;
  y: Int32Array;
  n: number;
}

export const IN = 4;
export const HIDDEN = 6;
export const CLASSES = 3;

/**
 * A 2-layer MLP (tanh hidden layer, softmax head) with optional dropout on the hidden layer
 * drawn from a seeded Rng, so a resume must restore the RNG state to reproduce losses.
 */
export class TinyMlp implements TrainableModel<MlpBatch>, Stateful {
  readonly params = new ParameterRegistry();
  readonly stateKey = "tiny-mlp.dropout";
  private training = true;
  private readonly dropoutRng: Rng;
  private readonly rngState: Stateful;

  constructor(
    seed: number,
    private readonly dropout = 0,
  ) {
    const rng = new Rng(seed);
    const init = (name: string, shape: number[], fanIn: number) => {
      const bound = 1 / Math.sqrt(fanIn);
      const size = shape.reduce((a, b) => a * b, 1);
      const value = tf.tensor(rng.fork(name).uniformArray(size, -bound, bound), shape);
      const v = tf.variable(value, true);
      value.dispose();
      return v;
    };
    this.params.register("hidden.weight", init("hidden.weight", [IN, HIDDEN], IN), { group: "base", trainable: true });
    this.params.register("hidden.bias", init("hidden.bias", [HIDDEN], IN), { group: "base", trainable: true });
    this.params.register("classifier.weight", init("classifier.weight", [HIDDEN, CLASSES], HIDDEN), {
      group: "head",
      trainable: true,
    });
    this.params.register("classifier.bias", init("classifier.bias", [CLASSES], HIDDEN), {
      group: "head",
      trainable: true,
    });
    this.dropoutRng = rng.fork("dropout");
    this.rngState = statefulRng(this.stateKey, this.dropoutRng);
  }

  setTraining(training: boolean): void {
    this.training = training;
  }

  private v(name: string): tf.Variable {
    return this.params.get(name).variable;
  }

  private logits(batch: MlpBatch, mask: tf.Tensor | null): tf.Tensor2D {
    const x = tf.tensor2d(batch.x, [batch.n, IN]);
    let h: tf.Tensor = tf.tanh(tf.add(tf.matMul(x, this.v("hidden.weight") as tf.Tensor2D), this.v("hidden.bias")));
    if (mask) h = tf.mul(h, mask);
    return tf.add(tf.matMul(h as tf.Tensor2D, this.v("classifier.weight") as tf.Tensor2D), this.v("classifier.bias"));
  }

  lossAndGradients(batch: MlpBatch, vars: ReadonlyMap<string, tf.Variable>): LossAndGradients {
    let mask: tf.Tensor | null = null;
    if (this.training && this.dropout > 0) {
      const keep = 1 - this.dropout;
      const u = this.dropoutRng.uniformArray(batch.n * HIDDEN, 0, 1).map((r) => (r < keep ? 1 / keep : 0));
      mask = tf.tensor2d(u, [batch.n, HIDDEN]);
    }
    const names = [...vars.keys()];
    const { value, grads } = tf.variableGrads(
      () =>
        tf.tidy(() => {
          const logp = tf.logSoftmax(this.logits(batch, mask));
          const onehot = tf.oneHot(tf.tensor1d(batch.y, "int32"), CLASSES);
          return tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), 1))) as tf.Scalar;
        }),
      names.map((n) => vars.get(n)!),
    );
    mask?.dispose();
    const out = new Map<string, tf.Tensor>();
    for (const n of names) out.set(n, grads[vars.get(n)!.name]!);
    return { loss: value, grads: out };
  }

  predict(batch: MlpBatch): tf.Tensor {
    return tf.tidy(() => this.logits(batch, null));
  }

  saveState(): { json: Json } {
    return this.rngState.saveState();
  }

  loadState(state: { json: Json; tensors: Record<string, { data: Float32Array; shape: number[] }> }): void {
    this.rngState.loadState(state);
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** Synthetic 3-class data: the label is the argmax of a fixed linear map of the features. */
export function makeData(seed: number, count: number): MlpBatch {
  const rng = new Rng(seed);
  const x = rng.normalArray(count * IN);
  const w = [0.9, -0.4, 0.3, 0.2, -0.7, 0.5, 0.1, 0.6, -0.8, 0.4, 0.3, -0.2];
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    let bestV = -Infinity;
    for (let c = 0; c < CLASSES; c++) {
      let s = 0;
      for (let j = 0; j < IN; j++) s += x[i * IN + j]! * w[j * CLASSES + c]!;
      if (s > bestV) [best, bestV] = [c, s];
    }
    y[i] = best;
  }
  return { x, y, n: count };
}

/** Batches of a fixed data set, shuffled per epoch from the seed (same seed and epoch → same order). */
export class ShuffledBatches implements BatchSource<MlpBatch> {
  readonly batchesPerEpoch: number;

  constructor(
    private readonly data: MlpBatch,
    private readonly batchSize: number,
    private readonly seed: number,
  ) {
    this.batchesPerEpoch = Math.ceil(data.n / batchSize);
  }

  *epoch(epoch: number): Iterable<MlpBatch> {
    const order = new Rng(this.seed).fork(`shuffle:${epoch}`).shuffle([...Array(this.data.n).keys()]);
    for (let b = 0; b < this.batchesPerEpoch; b++) {
      const idx = order.slice(b * this.batchSize, (b + 1) * this.batchSize);
      const x = new Float32Array(idx.length * IN);
      idx.forEach((i, k) => x.set(this.data.x.subarray(i * IN, (i + 1) * IN), k * IN));
      yield { x, y: Int32Array.from(idx, (i) => this.data.y[i]!), n: idx.length };
    }
  }
}

/** Accuracy and mean loss on a held-out set. */
export class AccuracyEvaluator implements Evaluator<MlpBatch> {
  readonly selectionMetric = "accuracy";
  constructor(private readonly data: MlpBatch) {}

  evaluate(model: TrainableModel<MlpBatch>): Record<string, number> {
    const logits = model.predict(this.data);
    const pred = tf.tidy(() => tf.argMax(logits, 1));
    const p = pred.dataSync();
    logits.dispose();
    pred.dispose();
    let correct = 0;
    for (let i = 0; i < this.data.n; i++) if (p[i] === this.data.y[i]) correct++;
    return { accuracy: correct / this.data.n };
  }
}

/** Returns scripted values of the selection metric, one per evaluation. */
export class ScriptedEvaluator implements Evaluator<MlpBatch> {
  readonly selectionMetric = "score";
  calls = 0;
  constructor(private readonly values: number[]) {}
  evaluate(): Record<string, number> {
    const v = this.values[this.calls++];
    if (v === undefined) throw new Error("ScriptedEvaluator: ran out of values");
    return { score: v };
  }
}
