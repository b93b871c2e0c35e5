import * as tf from "@tensorflow/tfjs-core";
import { wasmFastMatMulInstalled } from "./wasm-fast-matmul.js";

/**
 * `a · b` with neither operand transposed, computed only with 2-D matmuls: the one form
 * the wasm backend runs on its XNNPACK fast path (~20 GFLOP/s against ~1 for batched or
 * transposed forms). Batch dims broadcast like `tf.matMul`; when `b` has none, `a`'s are
 * folded into its rows (one large matmul), otherwise one 2-D matmul runs per batch entry
 * (inside the kernel when `installWasmFastMatMul` is active on wasm).
 */
export function plainMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.rank < 2 || b.rank < 2)
    throw new Error(`plainMatMul: operands must have rank ≥ 2, got [${a.shape}] and [${b.shape}]`);
  const [m, k] = a.shape.slice(-2);
  const [kb, n] = b.shape.slice(-2);
  if (k !== kb) throw new Error(`plainMatMul: inner dimensions differ: [${a.shape}] · [${b.shape}]`);
  if (a.rank === 2 && b.rank === 2) return tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);
  return tf.tidy(() => {
    if (b.rank === 2) {
      const lead = a.shape.slice(0, -1);
      return tf.reshape(tf.matMul(tf.reshape(a, [-1, k]) as tf.Tensor2D, b as tf.Tensor2D), [...lead, n]);
    }
    // The fast wasm kernel splits batches inside the heap, far cheaper than unstack/stack.
    if (tf.getBackend() === "wasm" && wasmFastMatMulInstalled()) return tf.matMul(a, b);
    // The native backend's CBLAS kernel runs batched matmuls (strided, broadcast) in one call.
    if (tf.getBackend() === "native") return tf.matMul(a, b);
    const batch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const size = batch.reduce((p, d) => p * d, 1);
    const a3 = tf.reshape(broadcastBatch(a, batch), [size, m, k]);
    const b3 = tf.reshape(broadcastBatch(b, batch), [size, k, n]);
    const as = tf.unstack(a3);
    const bs = tf.unstack(b3);
    const ys = as.map((ai, i) => tf.matMul(ai as tf.Tensor2D, bs[i] as tf.Tensor2D));
    return tf.reshape(tf.stack(ys), [...batch, m, n]);
  });
}

/** Swaps the last two axes (an explicit transpose: cheap, and keeps the following matmul plain). */
export function swapLastAxes(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  const r = x.rank;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(x, perm);
}

/** Sums a broadcast gradient back to the shape of the input it belongs to. */
export function sumToShape(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (tf.util.arraysEqual(g.shape, shape as number[])) return g;
  return tf.tidy(() => {
    const extra = g.rank - shape.length;
    const axes: number[] = [];
    for (let i = 0; i < g.rank; i++) {
      if (i < extra || (shape[i - extra] === 1 && g.shape[i] !== 1)) axes.push(i);
    }
    return tf.reshape(axes.length ? tf.sum(g, axes) : g, shape as number[]);
  });
}

function broadcastBatch(x: tf.Tensor, batch: number[]): tf.Tensor {
  const target = [...batch, ...x.shape.slice(-2)];
  return tf.util.arraysEqual(x.shape, target) ? x : tf.broadcastTo(x, target);
}
