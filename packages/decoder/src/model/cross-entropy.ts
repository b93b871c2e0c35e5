import * as tf from "@tensorflow/tfjs-core";
import type { FusedOpSpec } from "@aflora/core";
import { gatherRows } from "./gather-rows.js";

/**
 * `lm_head` and the mean cross-entropy against `targets` [N] as one node: rows [N, H] times
 * lmHead [V, H]ᵀ gives logits [N, V], the step's largest tensor. The node keeps only
 * e = exp(logits − max) and its row sums (the stock ops kept the logits and e, and their gradients
 * held several [N, V] tensors at once). With p = e / Σe = softmax(logits) and s = dy / N:
 * drows = (p·lmHead − lmHead[targets])·s, dlmHead = (pᵀ·rows − scatter(rows at targets))·s,
 * so the backward holds one [N, V] tensor besides e, runs no second exp and never a one-hot.
 */
export function lmHeadCrossEntropySpec(
  rows: tf.Tensor2D,
  lmHead: tf.Tensor2D,
  targets: Int32Array,
): FusedOpSpec<"rows" | "lmHead"> {
  const [n, h] = rows.shape;
  const v = lmHead.shape[0];
  return {
    inputs: { rows, lmHead },
    forward: (save) => {
      const logits = tf.matMul(rows, lmHead, false, true);
      const flat = Int32Array.from(targets, (t, i) => i * v + t);
      const picked = tf.reshape(gatherRows(tf.reshape(logits, [-1, 1]), flat), [-1]);
      // tf.logSumExp(logits, 1), op for op, spelled out to keep its exp.
      const xMax = tf.max(logits, 1, true);
      const e = tf.exp(tf.sub(logits, xMax));
      const sumE = tf.sum(e, 1);
      const d = tf.log(sumE);
      const lse = tf.add(tf.reshape(xMax, d.shape), d);
      save([e, sumE, rows, lmHead]);
      return tf.mean(tf.sub(lse, picked));
    },
    gradient: (dy, [e, sumE, x, w]) => {
      const probs = () => tf.tidy(() => tf.div(e!, tf.reshape(sumE!, [n, 1])));
      const scale = () => tf.div(dy, n);
      return {
        rows: () => {
          const p = probs();
          const pw = tf.matMul(p, w!);
          p.dispose();
          return tf.mul(tf.sub(pw, gatherRows(w!, targets)), scale());
        },
        lmHead: () => {
          const p = probs();
          const px = tf.matMul(p, x!, true, false);
          p.dispose();
          const hit = tf.scatterND(tf.tensor2d(targets, [n, 1], "int32"), x!, [v, h]);
          return tf.mul(tf.sub(px, hit), scale());
        },
      };
    },
  };
}
