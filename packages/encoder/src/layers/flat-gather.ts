import * as tf from "@tensorflow/tfjs-core";
import { fusedOp } from "@aflora/core";

/**
 * Rows of `table` [N, ...] picked by int32 `indices` (any shape) → [...indices.shape, ...row].
 * Runs as gatherND, which the wasm backend executes natively (its gather checks every index
 * in JavaScript, ~100 ns each), with a gradient built from scatterND instead of
 * unsortedSegmentSum, which the wasm backend lacks. Rows equal to `zeroGradIndex` get no
 * gradient (PyTorch's `nn.Embedding(padding_idx=...)`). Indices must be in range (callers
 * validate them): gatherND does not check.
 */
export function gatherRows(table: tf.Tensor, indices: tf.Tensor, zeroGradIndex?: number): tf.Tensor {
  const rowShape = table.shape.slice(1);
  // One node keeping only the int32 index column; the table's gradient is lazy (frozen tables cost nothing).
  return fusedOp({
    inputs: { table },
    forward: (save) => {
      const column = tf.reshape(indices, [-1, 1]);
      save([column]);
      return tf.reshape(tf.gatherND(table, column), [...indices.shape, ...rowShape]);
    },
    gradient: (dy, [ids]) => ({
      table: () => {
        let updates = tf.reshape(dy, [-1, ...rowShape]);
        if (zeroGradIndex !== undefined) {
          const keep = tf.cast(tf.notEqual(tf.reshape(ids!, [-1]), zeroGradIndex), "float32");
          updates = tf.mul(updates, tf.reshape(keep, [-1, ...rowShape.map(() => 1)]));
        }
        return tf.scatterND(ids!, updates, table.shape);
      },
    }),
  });
}
