import * as tf from "@tensorflow/tfjs-core";

/**
 * The most bytes of live tensors while `run` runs, above what was live before it (sampled after
 * every kernel): what a training step really holds, to size batches or check a memory estimate.
 */
export function peakTensorBytes(run: () => void): number {
  const engine = tf.engine();
  const base = tf.memory().numBytes;
  let peak = 0;
  const original = engine.runKernel.bind(engine);
  engine.runKernel = ((...args: Parameters<typeof original>) => {
    const out = original(...args);
    peak = Math.max(peak, tf.memory().numBytes - base);
    return out;
  }) as typeof original;
  try {
    run();
  } finally {
    engine.runKernel = original;
  }
  return peak;
}
