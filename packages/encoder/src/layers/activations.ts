import * as tf from "@tensorflow/tfjs-core";
import { FusedKernels, fusedOp, optionalKernel } from "@aflora/core";

export type Activation = (x: tf.Tensor) => tf.Tensor;

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * An elementwise activation as one autograd node keeping only x: the unfused ops would keep
 * two or three [N, intermediate] tensors; the closed-form derivative recomputes from x.
 */
function elementwise(
  value: (x: tf.Tensor) => tf.Tensor,
  derivative: (x: tf.Tensor) => tf.Tensor,
  /** A backend kernel {dy, x} → dy ⊙ derivative(x) in one pass, used where the backend registered it. */
  gradKernel?: string,
): Activation {
  return (x) =>
    fusedOp({
      inputs: { x },
      forward: (save) => {
        save([x]);
        return value(x);
      },
      gradient: (dy, [xs]) => ({
        x: () => {
          const ops = () => tf.mul(dy, derivative(xs!));
          return gradKernel ? optionalKernel(gradKernel, { dy, x: xs! }, ops) : ops();
        },
      }),
    });
}

/** Exact GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)): Transformers' "gelu". */
const gelu = elementwise(
  (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))),
  // Φ(x) + x·φ(x)
  (x) =>
    tf.add(
      tf.mul(tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))), 0.5),
      tf.mul(x, tf.mul(tf.exp(tf.mul(tf.square(x), -0.5)), INV_SQRT_2PI)),
    ),
  FusedKernels.GeluGrad,
);

/**
 * 0.5·x·(1 + tanh(u)) with u = k·x·(1 + c·x²) has derivative
 * 0.5·(1 + t) + 0.5·x·(1 − t²)·k·(1 + 3c·x²), t = tanh(u).
 */
function geluTanhDerivative(x: tf.Tensor, k: number, c: number): tf.Tensor {
  const x2 = tf.square(x);
  const t = tf.tanh(tf.mul(tf.mul(x, k), tf.add(1, tf.mul(x2, c))));
  const du = tf.mul(tf.add(1, tf.mul(x2, 3 * c)), 0.5 * k);
  return tf.add(tf.mul(tf.add(1, t), 0.5), tf.mul(tf.mul(x, tf.sub(1, tf.square(t))), du));
}

/** The tanh approximation (Transformers' "gelu_new" / "gelu_pytorch_tanh"). */
const geluTanh = elementwise(
  (x) => {
    const inner = tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
    return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
  },
  (x) => geluTanhDerivative(x, SQRT_2_OVER_PI, 0.044715),
);

/** Transformers' "gelu_fast": 0.5·x·(1 + tanh(x·0.7978845608·(1 + 0.044715·x²))). */
const geluFast = elementwise(
  (x) => {
    const inner = tf.mul(tf.mul(x, 0.7978845608), tf.add(1, tf.mul(0.044715, tf.square(x))));
    return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
  },
  (x) => geluTanhDerivative(x, 0.7978845608, 0.044715),
);

const ACTIVATIONS: Record<string, Activation> = {
  gelu,
  gelu_python: gelu,
  gelu_new: geluTanh,
  gelu_pytorch_tanh: geluTanh,
  gelu_fast: geluFast,
  quick_gelu: (x) => tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(1.702, x)))),
  relu: (x) => tf.relu(x),
  silu: (x) => tf.tidy(() => tf.mul(x, tf.sigmoid(x))),
  swish: (x) => tf.tidy(() => tf.mul(x, tf.sigmoid(x))),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  linear: (x) => tf.clone(x),
};

/** Transformers' ACT2FN by name; `key` names the config field in the error for an unknown name. */
export function getActivation(name: string, key = "hidden_act"): Activation {
  const f = ACTIVATIONS[name];
  if (!f) throw new Error(`${key} "${name}" is not supported (known: ${Object.keys(ACTIVATIONS).join(", ")})`);
  return f;
}

export function activationNames(): string[] {
  return Object.keys(ACTIVATIONS);
}
