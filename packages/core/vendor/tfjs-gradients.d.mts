// Side-effect module: registers TensorFlow.js's gradient definitions (see scripts/vendor-tfjs-gradients.mjs).
export {};
