import * as tf from "@tensorflow/tfjs-core";
import { addLean, fusedOp } from "@aflora/core";
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
      if (this.positionEmbeddings) x = addLean(x, this.positionEmbeddings.apply(inputs.positionIds!));
      if (this.tokenTypeEmbeddings) {
        const types = inputs.tokenTypeIds ?? tf.zeros([inputs.batchSize * inputs.seqLength], "int32");
        x = addLean(x, this.tokenTypeEmbeddings.apply(types));
      }
      const normed = maskRows(this.layerNorm.apply(x), inputs.mask);
      return dropout(normed, this.hiddenDropout, ctx, `${this.name}.dropout`) as tf.Tensor2D;
    });
  }
}

/** x ⊙ mask for a constant mask [N, 1]: one node keeping only the mask (the stock `Mul` keeps x too). */
export function maskRows(x: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  return fusedOp({
    inputs: { x },
    forward: (save) => {
      save([mask]);
      return tf.mul(x, mask);
    },
    gradient: (dy, [m]) => ({ x: () => tf.mul(dy, m!) }),
  });
}
