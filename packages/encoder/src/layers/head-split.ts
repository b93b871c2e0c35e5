import * as tf from "@tensorflow/tfjs-core";
import { fusedOp, reshapeLean } from "@aflora/core";

// Reshapes here are reshapeLean (tape node keeps nothing) and transposes keep nothing either, so
// splitting and merging heads holds no activation.

/** [B·S, heads·d] → [heads·B, S, d] (head-major, so per-head products over the whole batch are contiguous). */
export function splitHeads(x: tf.Tensor, b: number, s: number, heads: number): tf.Tensor3D {
  const d = x.shape[x.rank - 1]! / heads;
  return reshapeLean(tf.transpose(reshapeLean(x, [b, s, heads, d]), [2, 0, 1, 3]), [heads * b, s, d]);
}

/** [B·S, heads·d] → [heads·B, d, S]: keys already transposed for a plain matmul. */
export function splitHeadsTransposed(x: tf.Tensor, b: number, s: number, heads: number): tf.Tensor3D {
  const d = x.shape[x.rank - 1]! / heads;
  return reshapeLean(tf.transpose(reshapeLean(x, [b, s, heads, d]), [2, 0, 3, 1]), [heads * b, d, s]);
}

/** [heads·B, S, d] → [B·S, heads·d]. */
export function mergeHeads(x: tf.Tensor, b: number, s: number, heads: number): tf.Tensor2D {
  const d = x.shape[x.rank - 1]!;
  return reshapeLean(tf.transpose(reshapeLean(x, [heads, b, s, d]), [1, 2, 0, 3]), [b * s, heads * d]);
}

/**
 * softmax(scores / scale + keyMask) over keys; scores [heads·B, S, S], keyMask [1, B, 1, S]. One
 * autograd node keeping only the probabilities p: d(scores) = p ⊙ (dy − Σ dy ⊙ p) / scale.
 */
export function scaledMaskedSoftmax(
  scores: tf.Tensor,
  scale: number,
  keyMask: tf.Tensor,
  heads: number,
  b: number,
  s: number,
): tf.Tensor3D {
  return fusedOp({
    inputs: { scores },
    forward: (save) => {
      const masked = tf.add(tf.reshape(tf.div(scores, scale), [heads, b, s, s]), keyMask);
      const probs = tf.reshape(tf.softmax(masked), [heads * b, s, s]);
      save([probs]);
      return probs;
    },
    gradient: (dy, [probs]) => ({
      scores: () => {
        const dyTimesP = tf.mul(dy, probs!);
        return tf.div(tf.sub(dyTimesP, tf.mul(tf.sum(dyTimesP, -1, true), probs!)), scale);
      },
    }),
  }) as tf.Tensor3D;
}
