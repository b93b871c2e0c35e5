import * as tf from "@tensorflow/tfjs-core";
import { fusedOp } from "@aflora/core";

/**
 * Where dropout draws its masks during one forward pass. Every dropout site has a fixed
 * name, and its seed is derived from the pass's seed and that name, so recomputing a layer
 * in the backward pass (gradient checkpointing) reproduces exactly the same masks.
 */
export interface DropoutContext {
  readonly training: boolean;
  readonly seed: number;
}

export const EVAL: DropoutContext = { training: false, seed: 0 };

export function siteSeed(ctx: DropoutContext, site: string): number {
  let h = (2166136261 ^ ctx.seed) >>> 0;
  for (let i = 0; i < site.length; i++) h = Math.imul(h ^ site.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/**
 * Inverted dropout (PyTorch's): zero with probability `rate`, scale survivors by 1/(1-rate).
 * The same ops as `tf.dropout` (so the same mask for a seed, bit for bit), as one autograd node
 * keeping only the multiplier: the stock `Mul` node would also keep x.
 */
export function dropout(x: tf.Tensor, rate: number, ctx: DropoutContext, site: string): tf.Tensor {
  if (!ctx.training || rate <= 0) return x;
  const seed = siteSeed(ctx, site);
  return fusedOp({
    inputs: { x },
    forward: (save) => {
      const keepProb = 1 - rate;
      const multiplier = tf.div(tf.floor(tf.add(tf.randomUniform(x.shape, 0, 1, "float32", seed), keepProb)), keepProb);
      save([multiplier]);
      return tf.mul(x, multiplier);
    },
    gradient: (dy, [multiplier]) => ({ x: () => tf.mul(dy, multiplier!) }),
  });
}
