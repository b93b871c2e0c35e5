import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import type { TrackedMatrix } from "@aflora/core";

export async function useCpu(): Promise<void> {
  await tf.setBackend("cpu");
  await tf.ready();
}

/** Builds borrowed tensors for one `update` call and disposes them after `use`. */
export function withTracked(
  matrices: { name: string; shape: number[]; value: number[]; grad: number[] }[],
  use: (tracked: TrackedMatrix[]) => void,
): void {
  const tracked = matrices.map((m) => ({
    name: m.name,
    value: tf.tensor(m.value, m.shape),
    grad: tf.tensor(m.grad, m.shape),
  }));
  try {
    use(tracked);
  } finally {
    for (const t of tracked) {
      t.value.dispose();
      t.grad.dispose();
    }
  }
}

export function numTensors(): number {
  return tf.memory().numTensors;
}
