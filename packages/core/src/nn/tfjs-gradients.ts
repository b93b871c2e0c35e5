import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's Node entry registers no gradients (the @tensorflow/tfjs union package does
// that); this bundle of tfjs-core's own gradient definitions registers them on import.
import "../../vendor/tfjs-gradients.mjs";

/** Throws if TensorFlow.js's gradients are missing (they are registered when @aflora/core loads). */
export function assertTfjsGradients(): void {
  for (const kernel of [tf.BatchMatMul, tf.Sum, tf.Add, tf.Reshape]) {
    if (!tf.getGradient(kernel)) throw new Error(`TensorFlow.js has no gradient registered for ${kernel}`);
  }
}
