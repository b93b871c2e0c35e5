import * as tf from "@tensorflow/tfjs-core";
import type { FusedOpSpec } from "@aflora/core";
import { gatherRows } from "./gather-rows.js";

/**
 * Mean cross-entropy of logits [N, V] against `targets` [N] as one node keeping the logits and
 * their logsumexp [N] (the stock ops kept the logits, exp(logits − max) and several [N, V]
 * gradients at once; [N, V] is the step's largest tensor). dlogits = (softmax − onehot) · dy / N.
 */
export function crossEntropySpec(logits: tf.Tensor2D, targets: Int32Array): FusedOpSpec<"logits"> {
  const [n, v] = logits.shape;
  return {
    inputs: { logits },
    forward: (save) => {
      const flat = Int32Array.from(targets, (t, i) => i * v + t);
      const picked = tf.reshape(gatherRows(tf.reshape(logits, [-1, 1]), flat), [-1]);
      const lse = tf.logSumExp(logits, 1);
      save([logits, lse]);
      return tf.mean(tf.sub(lse, picked));
    },
    gradient: (dy, [z, lse]) => ({
      logits: () => {
        // One [N, V] temporary at a time besides the result: this runs at the step's peak.
        const probs = tf.tidy(() => tf.exp(tf.sub(z!, tf.reshape(lse!, [n, 1]))));
        const onehot = tf.tidy(() =>
          tf.scatterND(
            tf.tensor2d(
              Int32Array.from({ length: 2 * n }, (_, k) => (k % 2 ? targets[k >> 1]! : k >> 1)),
              [n, 2],
              "int32",
            ),
            tf.ones([n]),
            [n, v],
          ),
        );
        const diff = tf.sub(probs, onehot);
        tf.dispose([probs, onehot]);
        return tf.mul(diff, tf.div(dy, n));
      },
    }),
  };
}
