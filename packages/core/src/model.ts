import type * as tf from "@tensorflow/tfjs-core";
import type { ParameterRegistry } from "./parameter-registry.js";

/**
 * A padded batch of token ids as plain arrays (row-major [batchSize, seqLength]); models
 * turn it into tensors inside their own tidy scope, so data loaders never own tensors.
 */
export interface TextBatch {
  batchSize: number;
  seqLength: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  tokenTypeIds?: Int32Array;
  /** Class ids (Int32Array, length batchSize), regression targets or multi-label targets (Float32Array). */
  labels?: Int32Array | Float32Array;
  /** Number of real (non-padding) examples; the rest of the batch is padding rows, if any. */
  examples?: number;
}

export interface LossAndGradients {
  loss: tf.Scalar;
  /** Gradient per variable name; owned by the caller. */
  grads: Map<string, tf.Tensor>;
}

/** What the trainer needs of a model: named variables in a registry and a forward-with-loss. */
export interface TrainableModel<B = TextBatch> {
  readonly params: ParameterRegistry;
  /**
   * Loss and gradients of exactly `vars` (never of frozen variables) for one batch, in
   * training mode. Implementations may recompute per layer to bound memory.
   */
  lossAndGradients(batch: B, vars: ReadonlyMap<string, tf.Variable>): LossAndGradients;
  /** Model outputs (logits, or regression values) in eval mode; owned by the caller. */
  predict(batch: B): tf.Tensor;
  /** Sets dropout on or off. */
  setTraining?(training: boolean): void;
}
