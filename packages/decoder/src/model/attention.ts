import * as tf from "@tensorflow/tfjs-core";
import type { Linear } from "@aflora/core";
import { applyRotary } from "./rotary.js";
import type { KvCache } from "./kv-cache.js";

/** Per-call inputs every layer shares. */
export interface LayerContext {
  batchSize: number;
  /** New query positions in this call. */
  seqLength: number;
  cos: tf.Tensor4D;
  sin: tf.Tensor4D;
  /** Additive mask [B, 1, S, past + S]. */
  mask: tf.Tensor4D;
  cache?: KvCache;
}

/** [B·S, heads·d] → [B, heads, S, d] */
function splitHeads(x: tf.Tensor, b: number, s: number, heads: number, d: number): tf.Tensor4D {
  return tf.transpose(tf.reshape(x, [b, s, heads, d]), [0, 2, 1, 3]);
}

/** HF's `repeat_kv`: query head h reads kv head ⌊h / n_rep⌋ (repeat_interleave, not tile). */
export function repeatKv(x: tf.Tensor4D, nRep: number): tf.Tensor4D {
  if (nRep === 1) return x;
  const [b, kvHeads, t, d] = x.shape;
  // Rank-4 tile: TF.js has no tile gradient above rank 4.
  return tf.tidy(() =>
    tf.reshape(tf.tile(tf.reshape(x, [b, kvHeads, 1, t * d]), [1, 1, nRep, 1]), [b, kvHeads * nRep, t, d]),
  );
}

/** `LlamaAttention` (eager): RoPE on q and k, grouped-query attention, softmax in float32, `o_proj`. */
export class LlamaAttention {
  constructor(
    readonly layerIndex: number,
    readonly qProj: Linear,
    readonly kProj: Linear,
    readonly vProj: Linear,
    readonly oProj: Linear,
    readonly numHeads: number,
    readonly numKvHeads: number,
    readonly headDim: number,
  ) {}

  /** x: [B·S, H] → [B·S, H]. */
  apply(x: tf.Tensor2D, ctx: LayerContext): tf.Tensor2D {
    const { batchSize: b, seqLength: s } = ctx;
    const d = this.headDim;
    const out = tf.tidy(() => {
      const q = applyRotary(splitHeads(this.qProj.apply(x), b, s, this.numHeads, d), ctx.cos, ctx.sin);
      let keys = applyRotary(splitHeads(this.kProj.apply(x), b, s, this.numKvHeads, d), ctx.cos, ctx.sin);
      let values = splitHeads(this.vProj.apply(x), b, s, this.numKvHeads, d);
      if (ctx.cache) {
        const full = ctx.cache.append(this.layerIndex, keys, values);
        keys = full.k;
        values = full.v;
      }
      const nRep = this.numHeads / this.numKvHeads;
      const scores = tf.add(tf.div(tf.matMul(q, repeatKv(keys, nRep), false, true), Math.sqrt(d)), ctx.mask);
      const probs = tf.softmax(scores, -1);
      const context = tf.matMul(probs, repeatKv(values, nRep));
      const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [b * s, this.numHeads * d]);
      return this.oProj.apply(merged) as tf.Tensor2D;
    });
    return out;
  }
}
