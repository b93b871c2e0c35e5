import type * as tf from "@tensorflow/tfjs-core";

/** A batch as the embedding layers consume it: flattened [B·S] int32 ids, built by the model per forward. */
export interface BatchInputs {
  batchSize: number;
  seqLength: number;
  inputIds: tf.Tensor1D;
  /** null when the model has no absolute positions (DeBERTa without position_biased_input). */
  positionIds: tf.Tensor1D | null;
  /** null: the model uses token type 0 everywhere (what Transformers does when none are passed). */
  tokenTypeIds: tf.Tensor1D | null;
  /** Attention mask as float32 [B·S, 1] (1 = real token). */
  mask: tf.Tensor2D;
}
