import * as tf from "@tensorflow/tfjs-core";
import type { BatchInputs } from "../../layers/batch-inputs.js";
import { dropout, type DropoutContext } from "../../layers/dropout.js";
import type { Embedding, LayerNorm } from "../../layers/modules.js";

/**
 * `DebertaV2Embeddings`: word (+ absolute positions if position_biased_input) (+ token
 * types if type_vocab_size > 0), LayerNorm, then multiplied by the attention mask so padded
 * rows are exactly 0, then dropout.
 */
export class DebertaV2Embeddings {
  constructor(
    readonly name: string,
    readonly wordEmbeddings: Embedding,
    readonly positionEmbeddings: Embedding | null,
    readonly tokenTypeEmbeddings: Embedding | null,
    readonly layerNorm: LayerNorm,
    readonly hiddenDropout: number,
  ) {}

  apply(inputs: BatchInputs, ctx: DropoutContext): tf.Tensor2D {
    return tf.tidy(() => {
      let x = this.wordEmbeddings.apply(inputs.inputIds);
      if (this.positionEmbeddings) x = tf.add(x, this.positionEmbeddings.apply(inputs.positionIds!));
      if (this.tokenTypeEmbeddings) {
        const types = inputs.tokenTypeIds ?? tf.zeros([inputs.batchSize * inputs.seqLength], "int32");
        x = tf.add(x, this.tokenTypeEmbeddings.apply(types));
      }
      const normed = tf.mul(this.layerNorm.apply(x), inputs.mask);
      return dropout(normed, this.hiddenDropout, ctx, `${this.name}.dropout`) as tf.Tensor2D;
    });
  }
}
