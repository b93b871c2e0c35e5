import * as tf from "@tensorflow/tfjs-core";
import { addLean, type Linear } from "@aflora/core";
import type { Activation } from "./activations.js";
import type { AttentionContext } from "./attention-context.js";
import { dropout } from "./dropout.js";
import type { LayerNorm } from "./modules.js";

/** The self-attention half of a layer: returns the per-token context [B·S, H]. */
export interface AttentionCore {
  apply(h: tf.Tensor2D, rel: tf.Tensor2D | null, ctx: AttentionContext): tf.Tensor2D;
}

/**
 * One encoder layer as BERT, RoBERTa and DeBERTa-v2 share it (`*Layer`): attention →
 * dense → dropout → LayerNorm(+h) → intermediate dense → act → dense → dropout → LayerNorm(+).
 */
export class TransformerLayer {
  constructor(
    /** e.g. `deberta.encoder.layer.3` */
    readonly name: string,
    readonly attention: AttentionCore,
    readonly attentionOutput: Linear,
    readonly attentionLayerNorm: LayerNorm,
    readonly intermediate: Linear,
    readonly activation: Activation,
    readonly output: Linear,
    readonly outputLayerNorm: LayerNorm,
    readonly hiddenDropout: number,
  ) {}

  /** h [B·S, H] → [B·S, H]. */
  apply(h: tf.Tensor2D, rel: tf.Tensor2D | null, ctx: AttentionContext): tf.Tensor2D {
    return tf.tidy(() => {
      const context = this.attention.apply(h, rel, ctx);
      const attnDense = dropout(
        this.attentionOutput.apply(context),
        this.hiddenDropout,
        ctx.dropout,
        `${this.name}.attention.output.dropout`,
      );
      const attnOut = this.attentionLayerNorm.apply(addLean(attnDense, h));
      const inter = this.activation(this.intermediate.apply(attnOut));
      const out = dropout(this.output.apply(inter), this.hiddenDropout, ctx.dropout, `${this.name}.output.dropout`);
      return this.outputLayerNorm.apply(addLean(out, attnOut)) as tf.Tensor2D;
    });
  }
}
