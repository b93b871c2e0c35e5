import * as tf from "@tensorflow/tfjs-core";
import type { Linear } from "@aflora/core";
import type { LayerContext, LlamaAttention } from "./attention.js";
import type { RmsNorm } from "./rms-norm.js";

/** `LlamaMLP`: `down_proj(silu(gate_proj(x)) · up_proj(x))`. */
export class LlamaMlp {
  constructor(
    readonly gateProj: Linear,
    readonly upProj: Linear,
    readonly downProj: Linear,
  ) {}

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const gate = this.gateProj.apply(x);
      const silu = tf.mul(gate, tf.sigmoid(gate));
      return this.downProj.apply(tf.mul(silu, this.upProj.apply(x))) as tf.Tensor2D;
    });
  }
}

/** `LlamaDecoderLayer`: pre-norm attention and MLP, each with a residual. */
export class LlamaDecoderLayer {
  constructor(
    readonly name: string,
    readonly inputLayernorm: RmsNorm,
    readonly selfAttn: LlamaAttention,
    readonly postAttentionLayernorm: RmsNorm,
    readonly mlp: LlamaMlp,
  ) {}

  apply(x: tf.Tensor2D, ctx: LayerContext): tf.Tensor2D {
    return tf.tidy(() => {
      const h = tf.add(x, this.selfAttn.apply(this.inputLayernorm.apply(x) as tf.Tensor2D, ctx)) as tf.Tensor2D;
      return tf.add(h, this.mlp.apply(this.postAttentionLayernorm.apply(h) as tf.Tensor2D)) as tf.Tensor2D;
    });
  }
}
