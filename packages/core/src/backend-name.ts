/** In the order `selectBackend("auto")` tries them. */
export const BACKEND_NAMES = ["tensorflow-gpu", "tensorflow", "native", "wasm", "cpu"] as const;
/**
 * "tensorflow-gpu" is @tensorflow/tfjs-node-gpu, "tensorflow" is @tensorflow/tfjs-node, "native" is
 * @aflora/native (the wasm backend with its matmuls on a CBLAS found at runtime).
 */
export type BackendName = (typeof BACKEND_NAMES)[number];
