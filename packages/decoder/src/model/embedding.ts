import type * as tf from "@tensorflow/tfjs-core";
import { gatherRows } from "./gather-rows.js";

/** `nn.Embedding(vocab, hidden, padding_idx)`: rows by id; the `padding_idx` row gets no gradient from lookups. */
export class TokenEmbedding {
  constructor(
    readonly name: string,
    readonly weight: tf.Variable,
    readonly paddingIdx: number | null,
  ) {}

  /** ids [N] int32 → [N, H] */
  apply(ids: Int32Array): tf.Tensor2D {
    return gatherRows(this.weight, ids, this.paddingIdx) as tf.Tensor2D;
  }
}
