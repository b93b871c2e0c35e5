import { freemem } from "node:os";
import * as tf from "@tensorflow/tfjs-core";

/** wasm32 addresses at most 4 GiB: every tensor of the wasm and native backends lives in that heap. */
export const WASM32_HEAP_BYTES = 4 * 2 ** 30;
/** Left free for allocator fragmentation and the kernels' own scratch. */
const MARGIN_BYTES = 256 * 2 ** 20;
/** Activation estimates are multiplied by this before they are compared with the budget. */
export const ESTIMATE_SAFETY = 1.25;

export interface MemoryBudget {
  /** Bytes a training step's activations may take. */
  bytes: number;
  /** How the figure came about, for reports. */
  basis: string;
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;

/**
 * What the current backend can give a step's activations: on wasm and native the rest of the 4 GiB
 * wasm32 heap after the live tensors (weights, optimizer state) and a margin; elsewhere (tfjs-node,
 * cpu) the machine's free memory less a margin.
 */
export function tensorMemoryBudget(
  backend: string = tf.getBackend(),
  live: number = tf.memory().numBytes,
  free: number = freemem(),
): MemoryBudget {
  if (backend === "wasm" || backend === "native") {
    const bytes = Math.max(0, WASM32_HEAP_BYTES - live - MARGIN_BYTES);
    return { bytes, basis: `wasm32 heap 4 GiB − ${gib(live)} live tensors − ${gib(MARGIN_BYTES)} margin` };
  }
  const bytes = Math.max(0, free - MARGIN_BYTES);
  return { bytes, basis: `free memory ${gib(free)} − ${gib(MARGIN_BYTES)} margin` };
}

export interface RecomputeDecision {
  recompute: boolean;
  /** e.g. "whole graph: est. 1.52 GiB ≤ 3.40 GiB (wasm32 heap …)" */
  reason: string;
}

/**
 * Per-layer recomputation only when it is asked for, or ("auto") when the step's activations
 * (`estimateBytes`, times ESTIMATE_SAFETY) would not fit the budget: recomputation costs one
 * more forward per step.
 */
export function decideRecompute(
  option: boolean | "auto",
  estimateBytes: number,
  budget: MemoryBudget = tensorMemoryBudget(),
): RecomputeDecision {
  if (option !== "auto")
    return { recompute: option, reason: option ? "recompute: true (configured)" : "recompute: false (configured)" };
  const need = estimateBytes * ESTIMATE_SAFETY;
  const fits = need <= budget.bytes;
  return {
    recompute: !fits,
    reason: `${fits ? "whole graph" : "per-layer recomputation"}: activations est. ${gib(need)} ${fits ? "≤" : ">"} ${gib(budget.bytes)} (${budget.basis})`,
  };
}
