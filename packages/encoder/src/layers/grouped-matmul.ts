import * as tf from "@tensorflow/tfjs-core";

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
  const f = tf.customGrad(((x: tf.Tensor2D, y: tf.Tensor2D, save: tf.GradSaveFunc) => {
    save([x, y]);
    const value = tf.tidy(() => {
      const out: tf.Tensor[] = [];
      for (let g = 0; g < groups; g++) out.push(tf.matMul(rows(x, g * m, m), rows(y, g * k, k)));
      return tf.concat(out, 0);
    });
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ys] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dx: tf.Tensor[] = [];
        const dyw: tf.Tensor[] = [];
        for (let g = 0; g < groups; g++) {
          const dyg = rows(dy, g * m, m);
          dx.push(tf.matMul(dyg, tf.transpose(rows(ys, g * k, k))));
          dyw.push(tf.matMul(tf.transpose(rows(xs, g * m, m)), dyg));
        }
        return [tf.concat(dx, 0), tf.concat(dyw, 0)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(a, b) as tf.Tensor2D;
}
