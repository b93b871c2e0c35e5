import * as tf from "@tensorflow/tfjs-core";
import { fusedOp } from "@aflora/core";

/** Rows [start, start + count) of a 2-D tensor via gatherND: native on wasm, where slice copies the whole input to JS. */
function rows(x: tf.Tensor, start: number, count: number): tf.Tensor2D {
  return tf.tidy(
    () => tf.gatherND(x, tf.reshape(tf.range(start, start + count, 1, "int32"), [count, 1])) as tf.Tensor2D,
  );
}

/**
 * `groups` independent products stacked by rows: a [G·m, k] (group g = rows g·m…) times
 * b [G·k, p] (group g = rows g·k…) → [G·m, p]. Every product, forward and backward, is a plain
 * 2-D matmul with explicitly transposed operands, the only form the wasm backend runs on its
 * fast path (a batched matmul falls to a scalar loop there, ~15× slower); the pieces are cut
 * with gatherND and joined with concat, never with slice/unstack, which on wasm copy the
 * whole input to JavaScript once per piece.
 */
export function groupedMatMul(a: tf.Tensor2D, b: tf.Tensor2D, groups: number): tf.Tensor2D {
  const [gm, k] = a.shape;
  const [gk] = b.shape;
  const m = gm / groups;
  if (!Number.isInteger(m) || gk !== groups * k) {
    throw new Error(`groupedMatMul: [${a.shape}] · [${b.shape}] do not split into ${groups} groups`);
  }
  if (groups === 1) return tf.matMul(a, b);
  // One node keeping a and b, with lazy gradients: a frozen operand costs no matmul.
  return fusedOp({
    inputs: { a, b },
    forward: (save) => {
      save([a, b]);
      const out: tf.Tensor[] = [];
      for (let g = 0; g < groups; g++) out.push(tf.matMul(rows(a, g * m, m), rows(b, g * k, k)));
      return tf.concat(out, 0);
    },
    gradient: (dy, [as, bs]) => ({
      a: () => {
        const da: tf.Tensor[] = [];
        for (let g = 0; g < groups; g++) da.push(tf.matMul(rows(dy, g * m, m), tf.transpose(rows(bs!, g * k, k))));
        return tf.concat(da, 0);
      },
      b: () => {
        const db: tf.Tensor[] = [];
        for (let g = 0; g < groups; g++) db.push(tf.matMul(tf.transpose(rows(as!, g * m, m)), rows(dy, g * m, m)));
        return tf.concat(db, 0);
      },
    }),
  }) as tf.Tensor2D;
}
