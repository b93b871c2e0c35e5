import type * as tf from "@tensorflow/tfjs-core";

/**
 * Reads a float32 tensor once into a typed array (one `dataSync` per matrix and step; the
 * scoring loops then run on plain typed arrays). The result may be the backend's own
 * buffer: read it, never write it.
 */
export function readFloat32(t: tf.Tensor, what: string): Float32Array {
  if (t.dtype !== "float32") throw new Error(`${what}: expected a float32 tensor, got ${t.dtype}`);
  return t.dataSync() as Float32Array;
}
