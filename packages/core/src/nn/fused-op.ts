import * as tf from "@tensorflow/tfjs-core";

/** `Engine.runKernelFunc` (what `tf.customGrad` uses; private in tfjs's typings, public on the object). */
interface CustomGradEngine {
  runKernelFunc(params: {
    forwardFunc: (backend: tf.KernelBackend, save?: (tensors: tf.Tensor[]) => void) => tf.Tensor;
    backwardsFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
    inputs: tf.NamedTensorMap;
  }): tf.Tensor | tf.Tensor[];
}

/** Lazy input gradients: backprop calls only those of inputs on the path to a requested tensor. */
export type FusedGradients<I extends string> = Record<I, () => tf.Tensor>;

export interface FusedOpSpec<I extends string> {
  /** Inputs gradients may flow to; leave out constants (masks) and absent parts. */
  inputs: Record<I, tf.Tensor>;
  /** The forward value, from ordinary ops (not recorded on the tape); `save` keeps what the gradient needs. */
  forward(save: (tensors: tf.Tensor[]) => void): tf.Tensor;
  /** The gradient of each input, given dy and the saved tensors (in `save` order). */
  gradient(dy: tf.Tensor, saved: tf.Tensor[]): FusedGradients<I>;
}

/**
 * One autograd node for a block of ops. TensorFlow.js's tape otherwise keeps every input its
 * gradients might read — `Add` and `Reshape` keep both operands only for their shapes — so a
 * transformer layer's backward held ~5× the activations PyTorch keeps. Here the block's
 * intermediates are freed at once and the tape keeps only what `save` names. The forward runs the
 * same ops in the same order as unfused code, so values are bit-identical; gradients are lazy per
 * input, so a frozen weight still costs no weight-gradient work.
 */
export function fusedOp<I extends string>(spec: FusedOpSpec<I>): tf.Tensor {
  return (tf.engine() as unknown as CustomGradEngine).runKernelFunc({
    forwardFunc: (_backend: tf.KernelBackend, save?: (tensors: tf.Tensor[]) => void) =>
      spec.forward(save ?? (() => undefined)),
    backwardsFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
      spec.gradient(Array.isArray(dy) ? dy[0]! : dy, saved),
    inputs: spec.inputs,
  }) as tf.Tensor;
}

/** Sums a broadcast gradient back to `shape` (numpy broadcasting rules). */
export function reduceToShape(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  // A new tensor even when nothing is reduced: gradient functions must not hand back dy itself.
  if (tf.util.arraysEqual(g.shape, shape as number[])) return tf.clone(g);
  const extra = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < extra || (shape[i - extra] === 1 && g.shape[i] !== 1)) axes.push(i);
  return tf.reshape(axes.length ? tf.sum(g, axes) : g, shape as number[]);
}

/** `a + b` (broadcasting) whose tape node keeps nothing: its gradient needs only the shapes. */
export function addLean(a: tf.Tensor, b: tf.Tensor | number): tf.Tensor {
  if (typeof b === "number")
    return fusedOp({ inputs: { a }, forward: () => tf.add(a, b), gradient: (dy) => ({ a: () => tf.clone(dy) }) });
  const sa = a.shape;
  const sb = b.shape;
  return fusedOp({
    inputs: { a, b },
    forward: () => tf.add(a, b),
    gradient: (dy) => ({ a: () => reduceToShape(dy, sa), b: () => reduceToShape(dy, sb) }),
  });
}

/** `a - b` (broadcasting) whose tape node keeps nothing. */
export function subLean(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const sa = a.shape;
  const sb = b.shape;
  return fusedOp({
    inputs: { a, b },
    forward: () => tf.sub(a, b),
    gradient: (dy) => ({ a: () => reduceToShape(dy, sa), b: () => reduceToShape(tf.neg(dy), sb) }),
  });
}

/** `tf.reshape` whose tape node keeps nothing (the stock one keeps its input for the shape). */
export function reshapeLean<R extends tf.Rank>(x: tf.Tensor, shape: number[]): tf.Tensor<R> {
  const from = x.shape;
  return fusedOp({
    inputs: { x },
    forward: () => tf.reshape(x, shape),
    gradient: (dy) => ({ x: () => tf.reshape(dy, from) }),
  }) as tf.Tensor<R>;
}
