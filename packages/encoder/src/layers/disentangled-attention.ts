import * as tf from "@tensorflow/tfjs-core";
import { addLean, reshapeLean, type Linear } from "@aflora/core";
import type { PosAttType } from "../config/encoder-config.js";
import type { AttentionContext } from "./attention-context.js";
import { batchMatMul } from "./batch-matmul.js";
import { dropout } from "./dropout.js";
import { gatherRows } from "./flat-gather.js";
import { groupedMatMul } from "./grouped-matmul.js";
import { mergeHeads, scaledMaskedSoftmax, splitHeads, splitHeadsTransposed } from "./head-split.js";

export interface DisentangledOptions {
  numHeads: number;
  probsDropout: number;
  /** Dropout on the rel-embedding table (HF `pos_dropout`, hidden_dropout_prob). */
  posDropout: number;
  relativeAttention: boolean;
  posAttType: readonly PosAttType[];
  /** With share_att_key, c2p/p2c project the table with key_proj/query_proj (biases included). */
  posKeyProj: Linear | null;
  posQueryProj: Linear | null;
}

/**
 * DeBERTa-v2/v3 `DisentangledSelfAttention`: scores = (QKᵀ + [c2p] Q·Kr[idx(i,j)] +
 * [p2c] K_j·Qr[idx(i,j)]) / √(d·(1 + #terms)), with both lookups done as flat gathers.
 */
export class DisentangledSelfAttention {
  constructor(
    /** e.g. `deberta.encoder.layer.0.attention.self` */
    readonly name: string,
    readonly queryProj: Linear,
    readonly keyProj: Linear,
    readonly valueProj: Linear,
    readonly options: DisentangledOptions,
  ) {}

  /** h [B·S, H]; rel: the (normalised) rel-embedding table [2·span, H], or null without relative attention. */
  apply(h: tf.Tensor2D, rel: tf.Tensor2D | null, ctx: AttentionContext): tf.Tensor2D {
    return tf.tidy(() => {
      const { batchSize: b, seqLength: s } = ctx;
      const { numHeads: nh, posAttType } = this.options;
      const d = h.shape[1] / nh;
      const scaleFactor = 1 + posAttType.length;
      const qFlat = this.queryProj.apply(h);
      const kFlat = this.keyProj.apply(h);
      const q = splitHeads(qFlat, b, s, nh);
      let scores: tf.Tensor = batchMatMul(q, splitHeadsTransposed(kFlat, b, s, nh));
      if (this.options.relativeAttention && rel && posAttType.length > 0) {
        const r = dropout(rel, this.options.posDropout, ctx.dropout, `${this.name}.pos_dropout`) as tf.Tensor2D;
        const span2 = r.shape[0];
        // [2·span, H] → [heads, d, 2·span]: the projected table per head, transposed for a plain matmul.
        const perHeadT = (x: tf.Tensor) => tf.transpose(reshapeLean(x, [span2, nh, d]), [1, 2, 0]) as tf.Tensor3D;
        // Per head: table_h = Q_h·Kr_hᵀ [B·S, 2·span] as plain 2-D matmuls, then the flat lookup of
        // idx(i, j) in row i (c2p) or row j (p2c) of every head's table.
        const perHead = (rows: tf.Tensor, projected: tf.Tensor, index: tf.Tensor) => {
          const table = groupedMatMul(
            reshapeLean<tf.Rank.R2>(rows, [nh * b * s, d]),
            reshapeLean<tf.Rank.R2>(perHeadT(projected), [nh * d, span2]),
            nh,
          );
          return reshapeLean(gatherRows(reshapeLean(table, [-1]), index), [nh * b, s, s]);
        };
        if (posAttType.includes("c2p")) {
          scores = addLean(scores, perHead(q, this.options.posKeyProj!.apply(r), ctx.c2pIndex!));
        }
        if (posAttType.includes("p2c")) {
          scores = addLean(
            scores,
            perHead(splitHeads(kFlat, b, s, nh), this.options.posQueryProj!.apply(r), ctx.p2cIndex!),
          );
        }
      }
      const probs = dropout(
        scaledMaskedSoftmax(scores, Math.sqrt(d * scaleFactor), ctx.keyMask, nh, b, s),
        this.options.probsDropout,
        ctx.dropout,
        `${this.name}.dropout`,
      );
      return mergeHeads(batchMatMul(probs as tf.Tensor3D, splitHeads(this.valueProj.apply(h), b, s, nh)), b, s, nh);
    });
  }
}
