import * as tf from "@tensorflow/tfjs-core";

/**
 * Rows of `table` [N, ...] at int32 `indices` [M] → [M, ...]. Forward is gatherND; the
 * gradient is a scatterND, because the wasm backend has no UnsortedSegmentSum (tf.gather's
 * gradient). Rows equal to `zeroGradRow` get no gradient (`nn.Embedding(padding_idx)`).
 * Callers validate the indices: gatherND does not.
 */
export function gatherRows(table: tf.Tensor, indices: Int32Array, zeroGradRow: number | null = null): tf.Tensor {
  const rowShape = table.shape.slice(1);
  const column = tf.tensor2d(indices, [indices.length, 1], "int32");
  const f = tf.customGrad(((t: tf.Tensor, idx: tf.Tensor, save: tf.GradSaveFunc) => {
    save([idx]);
    return {
      value: tf.gatherND(t, idx),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        let updates = dy;
        if (zeroGradRow !== null && indices.includes(zeroGradRow)) {
          const keep = Float32Array.from(indices, (i) => (i === zeroGradRow ? 0 : 1));
          updates = tf.mul(updates, tf.tensor(keep, [indices.length, ...rowShape.map(() => 1)]));
        }
        return [tf.scatterND(saved[0]!, updates, t.shape), tf.zeros(idx.shape)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const out = f(table, column) as tf.Tensor;
  column.dispose();
  return out;
}
