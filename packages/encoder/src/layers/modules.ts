import * as tf from "@tensorflow/tfjs-core";
import { FusedKernels, fusedOp, optionalKernel, reduceToShape } from "@aflora/core";
import { gatherRows } from "./flat-gather.js";

/** `nn.Embedding` named by its Hugging Face prefix; the table is `${name}.weight` [num, dim]. */
export class Embedding {
  constructor(
    readonly name: string,
    readonly weight: tf.Variable,
    /** Row that gets no gradient (PyTorch's padding_idx), if any. */
    readonly paddingIdx?: number,
  ) {}

  get numEmbeddings(): number {
    return this.weight.shape[0]!;
  }

  /** ids: int32 [...]; returns [..., dim]. */
  apply(ids: tf.Tensor): tf.Tensor {
    return gatherRows(this.weight, ids, this.paddingIdx);
  }
}

/** `nn.LayerNorm` over the last axis with biased variance, as PyTorch computes it. */
export class LayerNorm {
  constructor(
    readonly name: string,
    readonly weight: tf.Variable,
    readonly bias: tf.Variable,
    readonly eps: number,
  ) {}

  /**
   * One autograd node keeping x̂ and the per-row 1/σ. With ĝ = dy ⊙ weight:
   * dx = (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)) / σ (one pass where the backend has the fused kernel),
   * dweight = Σ dy ⊙ x̂, dbias = Σ dy.
   */
  apply(x: tf.Tensor): tf.Tensor {
    const { weight, bias, eps } = this;
    const axis = x.rank - 1;
    return fusedOp({
      inputs: { x, weight, bias },
      forward: (save) => {
        const mean = tf.mean(x, axis, true);
        const centered = tf.sub(x, mean);
        const variance = tf.mean(tf.square(centered), axis, true);
        const rstd = tf.rsqrt(tf.add(variance, eps));
        const normed = tf.mul(centered, rstd);
        save([normed, rstd]);
        return tf.add(tf.mul(normed, weight), bias);
      },
      gradient: (dy, [normed, rstd]) => ({
        x: () =>
          optionalKernel(FusedKernels.LayerNormGrad, { dy, xhat: normed!, rstd: rstd!, weight }, () => {
            const g = tf.mul(dy, weight);
            const meanG = tf.mean(g, axis, true);
            const meanGx = tf.mean(tf.mul(g, normed!), axis, true);
            return tf.mul(tf.sub(tf.sub(g, meanG), tf.mul(normed!, meanGx)), rstd!);
          }),
        weight: () => reduceToShape(tf.mul(dy, normed!), weight.shape),
        bias: () => reduceToShape(tf.clone(dy), bias.shape),
      }),
    });
  }
}
