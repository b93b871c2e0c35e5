import * as tf from "@tensorflow/tfjs-core";
import { leanGradients } from "@aflora/core";

/**
 * Value of `f` and the vector-Jacobian product `dyᵀ·∂f/∂x` for every tensor in `xs`
 * (variables or plain tensors such as a layer's input); `undefined` where f does not depend
 * on x. Without `dy`, the gradient of a scalar f. The forward intermediates live only until
 * this returns, which is what makes per-layer recomputation bound memory.
 */
export function vjp(
  f: () => tf.Tensor,
  xs: tf.Tensor[],
  dy?: tf.Tensor,
): { value: tf.Tensor; grads: (tf.Tensor | undefined)[] } {
  if (xs.length === 0) return { value: tf.tidy(f), grads: [] };
  return leanGradients(f, xs, dy);
}
