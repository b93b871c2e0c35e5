import * as tf from "@tensorflow/tfjs-core";

/**
 * `nn.Embedding(vocab, hidden, padding_idx)`: rows looked up by id. The `padding_idx` row gets
 * no gradient from lookups (PyTorch's rule); it is zero in every HF checkpoint, so the lookup
 * uses zeros there, which is what masks the gradient.
 */
export class TokenEmbedding {
  constructor(
    readonly name: string,
    readonly weight: tf.Variable,
    readonly paddingIdx: number | null,
  ) {}

  /** ids [N] int32 → [N, H] */
  apply(ids: Int32Array): tf.Tensor2D {
    return tf.tidy(() => {
      const idx = tf.tensor1d(ids, "int32");
      const rows = tf.gather(this.weight, idx) as tf.Tensor2D;
      if (this.paddingIdx === null || !ids.includes(this.paddingIdx)) return rows;
      const keep = Float32Array.from(ids, (id) => (id === this.paddingIdx ? 0 : 1));
      return tf.mul(rows, tf.tensor2d(keep, [ids.length, 1]));
    });
  }
}
