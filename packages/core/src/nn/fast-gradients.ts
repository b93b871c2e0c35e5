import * as tf from "@tensorflow/tfjs-core";
import { plainMatMul, sumToShape, swapLastAxes } from "./plain-matmul.js";
import { assertTfjsGradients } from "./tfjs-gradients.js";
import { installWasmFastMatMul, uninstallWasmFastMatMul } from "./wasm-fast-matmul.js";
import { installWasmSharedIdentity, uninstallWasmSharedIdentity } from "./wasm-shared-identity.js";
import { installWasmFastLayout, uninstallWasmFastLayout } from "./wasm-fast-layout.js";

/** Marks our gradient config, so a second install (even from another copy of this module) is a no-op. */
const FAST = Symbol.for("aflora.fastGradients");

type MarkedGradConfig = tf.GradConfig & { [FAST]?: tf.GradConfig };

/**
 * Gradient of BatchMatMul (every `tf.matMul`) in which each matmul is 2-D and
 * non-transposed: TensorFlow.js's stock gradient uses `dy·Bᵀ` and `Aᵀ·dy` with the
 * transpose flags set, which the wasm backend runs ~15× slower than an explicit
 * transpose followed by a plain matmul. Same values as the stock gradient.
 */
function fastBatchMatMulGrad(stock: tf.GradConfig): MarkedGradConfig {
  return {
    kernelName: tf.BatchMatMul,
    inputsToSave: ["a", "b"],
    [FAST]: stock,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const g = dy as tf.Tensor;
      const [a, b] = saved;
      const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
      if (tf.getBackend() === "native") return blasGradients(g, a!, b!, transposeA, transposeB);
      // With y = A'·B' (A' = transposeA ? Aᵀ : A, likewise B'): dA' = dy·B'ᵀ, dB' = A'ᵀ·dy.
      const bEff = () => (transposeB ? swapLastAxes(b) : b);
      const aEff = () => (transposeA ? swapLastAxes(a) : a);
      return {
        a: () => {
          const da = transposeA
            ? plainMatMul(bEff(), swapLastAxes(g))
            : plainMatMul(g, transposeB ? b : swapLastAxes(b));
          return sumToShape(da, a.shape);
        },
        b: () => {
          if (b.rank === 2 && a.rank > 2) {
            // Shared 2-D weight under a batched input: one large matmul over the folded rows.
            const k = a.shape[transposeA ? a.rank - 2 : a.rank - 1];
            const rowsA = tf.reshape(aEff(), [-1, k]);
            const rowsG = tf.reshape(g, [-1, g.shape[g.rank - 1]]);
            return transposeB ? plainMatMul(tf.transpose(rowsG), rowsA) : plainMatMul(tf.transpose(rowsA), rowsG);
          }
          const db = transposeB
            ? plainMatMul(swapLastAxes(g), aEff())
            : plainMatMul(transposeA ? a : swapLastAxes(a), g);
          return sumToShape(db, b.shape);
        },
      };
    },
  };
}

/**
 * On the native backend a CBLAS takes the transposes as flags at full speed, so the gradient
 * matmuls keep them (no explicit transpose copies); a shared 2-D weight under a batched input
 * still gets one tall weight-gradient matmul over the folded rows.
 */
function blasGradients(
  g: tf.Tensor,
  a: tf.Tensor,
  b: tf.Tensor,
  transposeA: boolean,
  transposeB: boolean,
): Record<string, () => tf.Tensor> {
  return {
    a: () => sumToShape(transposeA ? tf.matMul(b, g, transposeB, true) : tf.matMul(g, b, false, !transposeB), a.shape),
    b: () => {
      if (b.rank === 2 && a.rank > 2 && !transposeA) {
        const rowsA = tf.reshape(a, [-1, a.shape[a.rank - 1]!]);
        const rowsG = tf.reshape(g, [-1, g.shape[g.rank - 1]!]);
        return transposeB ? tf.matMul(rowsG, rowsA, true, false) : tf.matMul(rowsA, rowsG, true, false);
      }
      return sumToShape(transposeB ? tf.matMul(g, a, true, transposeA) : tf.matMul(a, g, !transposeA, false), b.shape);
    },
  };
}

/**
 * Re-registers the BatchMatMul gradient so every backward matmul is a plain (non-transposed)
 * one, and, when tfjs-backend-wasm is loaded, replaces its BatchMatMul kernel so batched
 * and transposed matmuls run as 2-D XNNPACK matmuls (see `installWasmFastMatMul`); import
 * the wasm backend first; it also makes wasm's Identity share data instead of copying
 * (`installWasmSharedIdentity`: the tape clones every saved tensor), and runs transposes and
 * leading-axis sums cache-friendly (`installWasmFastLayout`). Idempotent and silent;
 * affects every `tf.matMul` in the process.
 * Backprop still prunes inputs that no trainable variable depends on, so a frozen weight
 * costs no weight-gradient matmul.
 */
export function installFastGradients(): void {
  assertTfjsGradients();
  installWasmFastMatMul();
  installWasmSharedIdentity();
  installWasmFastLayout();
  const current = tf.getGradient(tf.BatchMatMul) as MarkedGradConfig;
  if (current[FAST]) return;
  replaceGradient(fastBatchMatMulGrad(current));
}

/** Restores the stock gradient and wasm kernel (for comparisons). */
export function uninstallFastGradients(): void {
  uninstallWasmFastMatMul();
  uninstallWasmSharedIdentity();
  uninstallWasmFastLayout();
  const current = tf.getGradient(tf.BatchMatMul) as MarkedGradConfig | undefined;
  const stock = current?.[FAST];
  if (stock) replaceGradient(stock);
}

/** Whether the fast BatchMatMul gradient is registered. */
export function fastGradientsInstalled(): boolean {
  return Boolean((tf.getGradient(tf.BatchMatMul) as MarkedGradConfig | undefined)?.[FAST]);
}

/** unregister + register: registerGradient alone warns about the override in debug mode. */
function replaceGradient(config: tf.GradConfig): void {
  tf.unregisterGradient(config.kernelName);
  tf.registerGradient(config);
}
