import * as tf from "@tensorflow/tfjs-core";
import { fusedOp, reshapeLean, type FusedOpSpec, type Linear } from "@aflora/core";
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
  return tf.transpose(reshapeLean<tf.Rank.R4>(x, [b, s, heads, d]), [0, 2, 1, 3]);
}

/**
 * HF's `repeat_kv` as one node keeping nothing (stock Reshape and Tile keep their inputs, and
 * Tile's gradient is a slice and an add per repeat): the gradient sums the nRep copies. The
 * copies are a concat, not a tile: the same values bit for bit (both copy), and wasm's Tile maps
 * every element's index one at a time (~50 ms against 0.5 ms for a 512-wide 1k-token k or v).
 */
export function repeatKvSpec(x: tf.Tensor4D, nRep: number): FusedOpSpec<"x"> {
  const [b, kvHeads, t, d] = x.shape;
  return {
    inputs: { x },
    forward: () => {
      const rows = tf.reshape(x, [b, kvHeads, 1, t * d]);
      return tf.reshape(tf.concat(new Array<tf.Tensor>(nRep).fill(rows), 2), [b, kvHeads * nRep, t, d]);
    },
    gradient: (dy) => ({
      x: () => tf.reshape(tf.sum(tf.reshape(dy, [b, kvHeads, nRep, t * d]), 2), [b, kvHeads, t, d]),
    }),
  };
}

/** HF's `repeat_kv`: query head h reads kv head ⌊h / n_rep⌋ (repeat_interleave, not tile). */
export function repeatKv(x: tf.Tensor4D, nRep: number): tf.Tensor4D {
  return nRep === 1 ? x : (fusedOp(repeatKvSpec(x, nRep)) as tf.Tensor4D);
}

/**
 * `softmax(scores / √d + mask)` as one node keeping only the probabilities (the stock ops kept
 * the scores twice and the mask): dscores = (dy ⊙ p − p · Σ dy ⊙ p) / √d (tfjs's Softmax gradient). The mask is a constant.
 */
export function attentionProbsSpec(scores: tf.Tensor4D, headDim: number, mask: tf.Tensor4D): FusedOpSpec<"scores"> {
  const scale = Math.sqrt(headDim);
  return {
    inputs: { scores },
    forward: (save) => {
      const probs = tf.softmax(tf.add(tf.div(scores, scale), mask), -1);
      save([probs]);
      return probs;
    },
    gradient: (dy, [p]) => ({
      scores: () => {
        const dyTimesP = tf.mul(dy, p!);
        return tf.div(tf.sub(dyTimesP, tf.mul(tf.sum(dyTimesP, -1, true), p!)), scale);
      },
    }),
  };
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
      const scores = tf.matMul(q, repeatKv(keys, nRep), false, true) as tf.Tensor4D;
      const probs = fusedOp(attentionProbsSpec(scores, d, ctx.mask)) as tf.Tensor4D;
      const context = tf.matMul(probs, repeatKv(values, nRep));
      const merged = reshapeLean(tf.transpose(context, [0, 2, 1, 3]), [b * s, this.numHeads * d]);
      return this.oProj.apply(merged) as tf.Tensor2D;
    });
    return out;
  }
}
