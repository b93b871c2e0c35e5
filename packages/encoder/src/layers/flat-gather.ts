import * as tf from "@tensorflow/tfjs-core";

/**
 * Rows of `table` [N, D] (or values of a 1-D table) picked by int32 `indices`, with a
 * gradient built from scatterND instead of TensorFlow.js's unsortedSegmentSum, which the
 * wasm backend lacks. Rows listed in `zeroGradIndex` get no gradient (PyTorch's
 * `nn.Embedding(padding_idx=...)`).
 */
export function gatherRows(table: tf.Tensor, indices: tf.Tensor, zeroGradIndex?: number): tf.Tensor {
  const f = tf.customGrad(((t: tf.Tensor, idx: tf.Tensor, save: tf.GradSaveFunc) => {
    save([idx]);
    return {
      value: tf.gather(t, idx),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [ids] = saved as [tf.Tensor];
        const flatIds = tf.reshape(ids, [-1, 1]);
        const rowShape = t.shape.slice(1);
        let updates = tf.reshape(dy, [-1, ...rowShape]);
        if (zeroGradIndex !== undefined) {
          const keep = tf.cast(tf.notEqual(tf.reshape(ids, [-1]), zeroGradIndex), "float32");
          updates = tf.mul(updates, tf.reshape(keep, [-1, ...rowShape.map(() => 1)]));
        }
        return [tf.scatterND(flatIds, updates, t.shape), tf.zeros(ids.shape)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(table, indices);
}
