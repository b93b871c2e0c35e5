import * as tf from "@tensorflow/tfjs-core";
import { addLean, fusedOp, type FusedOpSpec, type Linear } from "@aflora/core";
import type { LayerContext, LlamaAttention } from "./attention.js";
import type { RmsNorm } from "./rms-norm.js";

/**
 * `silu(gate) · up` as one node keeping gate and up (the stock ops also kept sigmoid(gate) and
 * silu(gate)): with s = sigmoid(gate), dgate = dy ⊙ up ⊙ s ⊙ (1 + gate ⊙ (1 − s)), dup = dy ⊙ gate ⊙ s.
 */
export function swiGluSpec(gate: tf.Tensor, up: tf.Tensor): FusedOpSpec<"gate" | "up"> {
  return {
    inputs: { gate, up },
    forward: (save) => {
      save([gate, up]);
      return tf.mul(tf.mul(gate, tf.sigmoid(gate)), up);
    },
    gradient: (dy, [g, u]) => ({
      gate: () => {
        const s = tf.sigmoid(g!);
        return tf.mul(tf.mul(dy, u!), tf.mul(s, tf.add(1, tf.mul(g!, tf.sub(1, s)))));
      },
      up: () => tf.mul(dy, tf.mul(g!, tf.sigmoid(g!))),
    }),
  };
}

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
      return this.downProj.apply(fusedOp(swiGluSpec(gate, this.upProj.apply(x)))) as tf.Tensor2D;
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
      const h = addLean(x, this.selfAttn.apply(this.inputLayernorm.apply(x) as tf.Tensor2D, ctx)) as tf.Tensor2D;
      return addLean(h, this.mlp.apply(this.postAttentionLayernorm.apply(h) as tf.Tensor2D)) as tf.Tensor2D;
    });
  }
}
