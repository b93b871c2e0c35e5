export const BACKEND_NAMES = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;
/** "tensorflow-gpu" is @tensorflow/tfjs-node-gpu, "tensorflow" is @tensorflow/tfjs-node. */
export type BackendName = (typeof BACKEND_NAMES)[number];
