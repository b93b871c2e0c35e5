import type * as tf from "@tensorflow/tfjs-core";
import type { DropoutContext } from "./dropout.js";

/** Per-forward tensors every layer of an encoder shares (constants: no gradient flows into them). */
export interface AttentionContext {
  batchSize: number;
  seqLength: number;
  /** Additive key mask [1, B, 1, S] (0 for real tokens, float32 min for padding), in head-major layout. */
  keyMask: tf.Tensor;
  dropout: DropoutContext;
  /** DeBERTa: flat c2p / p2c lookup indices into the [heads·B·S, 2·span] tables (see flatRelativeIndices), int32 [heads·B·S·S]. */
  c2pIndex?: tf.Tensor;
  p2cIndex?: tf.Tensor;
}
