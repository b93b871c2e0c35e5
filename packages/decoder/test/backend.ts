import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "@aflora/core";
import { beforeAll } from "vitest";

/** Sets the TF.js backend for the file's tests (wasm is aflora's default; cpu the exact JS reference). */
export function useBackend(name: "cpu" | "wasm"): void {
  beforeAll(async () => {
    await tf.setBackend(name);
    await tf.ready();
  });
}
