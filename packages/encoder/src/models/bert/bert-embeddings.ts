import * as tf from "@tensorflow/tfjs-core";
import { addLean } from "@aflora/core";
import type { BatchInputs } from "../../layers/batch-inputs.js";
import { dropout, type DropoutContext } from "../../layers/dropout.js";
import type { Embedding, LayerNorm } from "../../layers/modules.js";

/** `BertEmbeddings` / `RobertaEmbeddings`: word + position + token type, LayerNorm, dropout. */
export class BertEmbeddings {
  constructor(
    /** e.g. `roberta.embeddings` */
    readonly name: string,
    readonly wordEmbeddings: Embedding,
    readonly positionEmbeddings: Embedding,
    readonly tokenTypeEmbeddings: Embedding | null,
    readonly layerNorm: LayerNorm,
    readonly hiddenDropout: number,
  ) {}

  apply(inputs: BatchInputs, ctx: DropoutContext): tf.Tensor2D {
    return tf.tidy(() => {
      let x = addLean(this.wordEmbeddings.apply(inputs.inputIds), this.positionEmbeddings.apply(inputs.positionIds!));
      if (this.tokenTypeEmbeddings) {
        const types = inputs.tokenTypeIds ?? tf.zeros([inputs.batchSize * inputs.seqLength], "int32");
        x = addLean(x, this.tokenTypeEmbeddings.apply(types));
      }
      return dropout(this.layerNorm.apply(x), this.hiddenDropout, ctx, `${this.name}.dropout`) as tf.Tensor2D;
    });
  }
}
