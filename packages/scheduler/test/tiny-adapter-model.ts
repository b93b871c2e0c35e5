import * as tf from "@tensorflow/tfjs-core";
import { ParameterRegistry, Rng, type BatchSource, type LossAndGradients, type TrainableModel } from "@aflora/core";

export interface Batch {
  x: Float32Array;
  y: Int32Array;
  n: number;
}

const IN = 4;
const HIDDEN = 3;
const CLASSES = 3;

/**
 * Two adapted linear layers (frozen base weights W0, W1; projection matrices lora_A/lora_B in
 * group "adapter-matrix"; a feature vector lora_d) and a classifier head: just enough of an
 * AFLoRA model for the freezing controller to run inside the real core Trainer.
 */
export class TinyAdapterModel implements TrainableModel<Batch> {
  readonly params = new ParameterRegistry();
  /** lossAndGradients calls (micro-batches). */
  calls = 0;

  constructor(seed: number) {
    const rng = new Rng(seed);
    const add = (name: string, shape: number[], group: string, trainable: boolean) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const init = tf.tensor(rng.fork(name).uniformArray(size, -0.8, 0.8), shape);
      this.params.register(name, tf.variable(init, true), { group, trainable });
      init.dispose();
    };
    add("l0.weight", [IN, HIDDEN], "base", false);
    add("l0.lora_A", [IN, 2], "adapter-matrix", true);
    add("l0.lora_B", [2, HIDDEN], "adapter-matrix", true);
    add("l0.lora_d", [2], "adapter-vector", true);
    add("l1.weight", [HIDDEN, HIDDEN], "base", false);
    add("l1.lora_A", [HIDDEN, 2], "adapter-matrix", true);
    add("l1.lora_B", [2, HIDDEN], "adapter-matrix", true);
    add("classifier.weight", [HIDDEN, CLASSES], "head", true);
  }

  private v(name: string): tf.Tensor2D {
    return this.params.get(name).variable as unknown as tf.Tensor2D;
  }

  private logits(batch: Batch): tf.Tensor2D {
    const x = tf.tensor2d(batch.x, [batch.n, IN]);
    const d = this.params.get("l0.lora_d").variable;
    const h0 = tf.tanh(
      tf.add(
        tf.matMul(x, this.v("l0.weight")),
        tf.matMul(tf.mul(tf.matMul(x, this.v("l0.lora_A")), d) as tf.Tensor2D, this.v("l0.lora_B")),
      ),
    );
    const h1 = tf.add(
      tf.matMul(h0, this.v("l1.weight")),
      tf.matMul(tf.matMul(h0, this.v("l1.lora_A")), this.v("l1.lora_B")),
    );
    return tf.matMul(h1, this.v("classifier.weight"));
  }

  lossAndGradients(batch: Batch, vars: ReadonlyMap<string, tf.Variable>): LossAndGradients {
    this.calls++;
    const byTfName = new Map([...vars].map(([n, v]) => [v.name, n]));
    const { value, grads } = tf.variableGrads(
      () =>
        tf.tidy(() => {
          const logp = tf.logSoftmax(this.logits(batch));
          const onehot = tf.oneHot(tf.tensor1d(batch.y, "int32"), CLASSES);
          return tf.neg(tf.mean(tf.sum(tf.mul(logp, onehot), 1))) as tf.Scalar;
        }),
      [...vars.values()],
    );
    const out = new Map<string, tf.Tensor>();
    for (const [tfName, g] of Object.entries(grads)) out.set(byTfName.get(tfName)!, g);
    return { loss: value, grads: out };
  }

  predict(batch: Batch): tf.Tensor {
    return tf.tidy(() => this.logits(batch));
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** Fixed synthetic batches (4 per epoch, 4 examples each), identical every epoch. */
export class FixedBatches implements BatchSource<Batch> {
  readonly batchesPerEpoch = 4;
  private readonly batches: Batch[];

  constructor(seed: number) {
    const rng = new Rng(seed);
    this.batches = Array.from({ length: this.batchesPerEpoch }, () => {
      const x = rng.uniformArray(4 * IN, -1, 1);
      const y = Int32Array.from({ length: 4 }, () => rng.int(CLASSES));
      return { x, y, n: 4 };
    });
  }

  epoch(): Iterable<Batch> {
    return this.batches;
  }
}
