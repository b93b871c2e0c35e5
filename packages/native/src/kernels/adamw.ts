import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "../addon.js";
import { type WasmHeapBackend, heapView } from "./wasm-heap.js";

/** The kernel name of `@aflora/core`'s `FusedKernels.AdamWStep` (this package does not depend on core). */
export const ADAMW_STEP = "AfloraAdamWStep";

/** The attrs core's AdamW passes: the JS numbers its ops would turn into float32 scalars. */
export interface AdamWStepAttrs {
  variant: "adamw_torch" | "adamw_hf";
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  eps: number;
  /** adamw_torch: lr / (1 − β1ᵗ); adamw_hf: lr·√(1 − β2ᵗ) / (1 − β1ᵗ). */
  stepSize: number;
  /** √(1 − β2ᵗ) (adamw_torch only). */
  bc2Sqrt: number;
  /** Whether the decoupled weight decay applies (weight decay and lr both nonzero). */
  decay: boolean;
  /** adamw_torch: 1 − lr·wd; adamw_hf: lr·wd. */
  decayFactor: number;
}

/**
 * inputs {param, grad, expAvg, expAvgSq} → [param′, expAvg′, expAvgSq′]: core's AdamW update in
 * one threaded C++ pass, bit-identical to its ops (each scalar rounded to float32 as tfjs does).
 */
export function adamwStepKernel(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { param, grad, expAvg, expAvgSq } = args.inputs as Record<string, tf.TensorInfo>;
    const inputs = { param, grad, expAvg, expAvgSq };
    for (const [key, t] of Object.entries(inputs)) {
      if (!t) throw new Error(`${ADAMW_STEP}: input ${key} is missing`);
      if (t.dtype !== "float32") throw new Error(`${ADAMW_STEP}: ${key} must be float32, got ${t.dtype}`);
      if (t.shape.join(",") !== param!.shape.join(","))
        throw new Error(`${ADAMW_STEP}: ${key} [${t.shape}] and param [${param!.shape}] differ in shape`);
    }
    const a = args.attrs as unknown as AdamWStepAttrs;
    if (a.variant !== "adamw_torch" && a.variant !== "adamw_hf")
      throw new Error(`${ADAMW_STEP}: unknown variant ${JSON.stringify(a.variant)}`);
    const scalars = [
      a.beta1,
      a.oneMinusBeta1,
      a.beta2,
      a.oneMinusBeta2,
      a.eps,
      a.decayFactor,
      a.bc2Sqrt,
      a.stepSize,
      a.decay ? 1 : 0,
    ].map(Math.fround);
    const be = args.backend as unknown as WasmHeapBackend;
    const shape = [...param!.shape];
    const outs = [be.makeOutput(shape, "float32"), be.makeOutput(shape, "float32"), be.makeOutput(shape, "float32")];
    addon.adamwStep(
      a.variant === "adamw_hf",
      heapView(be, param!),
      heapView(be, grad!),
      heapView(be, expAvg!),
      heapView(be, expAvgSq!),
      heapView(be, outs[0]!),
      heapView(be, outs[1]!),
      heapView(be, outs[2]!),
      scalars,
    );
    return outs;
  };
}
