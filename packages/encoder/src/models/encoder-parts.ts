import type * as tf from "@tensorflow/tfjs-core";
import type { Linear } from "@aflora/core";
import type { ClassificationHead } from "../heads/classification-head.js";
import type { BatchInputs } from "../layers/batch-inputs.js";
import type { DropoutContext } from "../layers/dropout.js";
import type { Embedding, LayerNorm } from "../layers/modules.js";
import type { TransformerLayer } from "../layers/transformer-layer.js";

/** The embedding stage of an encoder: [B·S] ids → [B·S, H]. */
export interface EmbeddingStage {
  apply(inputs: BatchInputs, ctx: DropoutContext): tf.Tensor2D;
}

/** DeBERTa's shared relative-position table: `rel_embeddings.weight`, through `encoder.LayerNorm` if norm_rel_ebd says so. */
export interface RelativeTable {
  embeddings: Embedding;
  layerNorm: LayerNorm | null;
}

/** The pieces a `*ForSequenceClassification` model is assembled from, per family. */
export interface EncoderParts {
  /** `bert`, `roberta` or `deberta`: the base model's state-dict prefix. */
  prefix: string;
  embeddings: EmbeddingStage;
  layers: TransformerLayer[];
  relativeTable: RelativeTable | null;
  head: ClassificationHead;
  linears: Map<string, Linear>;
  /** Position ids for a batch ([B·S], row-major) and the largest one, for the range check. */
  positionIds(inputIds: Int32Array, batchSize: number, seqLength: number): Int32Array | null;
}
