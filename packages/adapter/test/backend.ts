import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll } from "vitest";

/** Tiny shapes: the exact, pure-JS cpu backend is the fastest and the reference. */
export function useCpuBackend(): void {
  beforeAll(async () => {
    await tf.setBackend("cpu");
    await tf.ready();
  });
}
