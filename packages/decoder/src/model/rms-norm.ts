import * as tf from "@tensorflow/tfjs-core";
import { fusedOp, reduceToShape, type FusedOpSpec } from "@aflora/core";

/**
 * `LlamaRMSNorm` as one autograd node keeping x, the per-row r = rsqrt(mean(x²) + eps) and the
 * weight (the stock ops kept x, x², r, x·r and the weight). With n = x·r and dn = dy ⊙ weight:
 * dx = r·(dn − x·r²·mean(dn ⊙ x)), dweight = Σ dy ⊙ n (norm weights are frozen in AFLoRA runs:
 * that closure then never runs).
 */
export function rmsNormSpec(x: tf.Tensor, weight: tf.Tensor, eps: number): FusedOpSpec<"x" | "weight"> {
  const axis = x.rank - 1;
  return {
    inputs: { x, weight },
    forward: (save) => {
      const variance = tf.mean(tf.square(x), axis, true);
      const r = tf.rsqrt(tf.add(variance, eps));
      save([x, r, weight]);
      return tf.mul(tf.mul(x, r), weight);
    },
    gradient: (dy, [xs, r, w]) => ({
      x: () => {
        const dn = tf.mul(dy, w!);
        const proj = tf.mul(tf.square(r!), tf.mean(tf.mul(dn, xs!), axis, true));
        return tf.mul(r!, tf.sub(dn, tf.mul(xs!, proj)));
      },
      weight: () => reduceToShape(tf.mul(dy, tf.mul(xs!, r!)), weight.shape),
    }),
  };
}

/** `LlamaRMSNorm`: `x · rsqrt(mean(x²) + eps) · weight` over the last axis (eps inside the root, no bias). */
export class RmsNorm {
  constructor(
    readonly name: string,
    readonly weight: tf.Variable,
    readonly eps: number,
  ) {}

  apply(x: tf.Tensor): tf.Tensor {
    return fusedOp(rmsNormSpec(x, this.weight, this.eps));
  }
}
