import { stepFlops } from "./step-flops.js";
import { LINEAR_ROLES, type AdapterShape, type EncoderShape, type LinearRole } from "./shapes.js";

/** Names one projection matrix for `RunFlopsInput.matrixSteps`: `${layer}.${role}.${"A" | "B"}`, e.g. `3.int.A`. */
export function matrixKey(layer: number, role: LinearRole, matrix: "A" | "B"): string {
  return `${layer}.${role}.${matrix}`;
}

export interface RunFlopsInput {
  shape: EncoderShape;
  /** The adapter at the start of the run (which matrices train before any freezing). */
  adapter: AdapterShape;
  totalSteps: number;
  /**
   * For matrices frozen during the run (AFLoRA): how many steps computed that matrix's
   * gradient, by `matrixKey`. A matrix frozen after the backward pass of 0-based step t has
   * t + 1. Matrices not listed keep their starting state for the whole run.
   */
  matrixSteps?: Readonly<Record<string, number>>;
}

export interface RunFlops {
  /** Matmul FLOPs of every training step of the run. */
  total: number;
  /** `total / totalSteps`. */
  averagePerStep: number;
  /** Per-step FLOPs at the first and at the last step. */
  firstStep: number;
  lastStep: number;
}

/**
 * Training FLOPs of a whole run: `stepFlops` summed over steps, with each frozen matrix's
 * weight-gradient work (and any input-gradient work it alone required) dropped from the
 * step after it froze. Cost: one `stepFlops` per distinct freezing step.
 */
export function runFlops(input: RunFlopsInput): RunFlops {
  const { shape, adapter, totalSteps } = input;
  if (!Number.isInteger(totalSteps) || totalSteps <= 0)
    throw new Error(`flops: totalSteps must be a positive integer, got ${totalSteps}`);
  const steps = new Map(Object.entries(input.matrixSteps ?? {}));
  for (const [key, n] of steps) {
    const [layer, role, m] = key.split(".");
    const l = Number(layer);
    if (
      !Number.isInteger(l) ||
      l < 0 ||
      l >= shape.layers ||
      !(LINEAR_ROLES as readonly string[]).includes(role!) ||
      (m !== "A" && m !== "B")
    ) {
      throw new Error(`flops: matrixSteps key "${key}" is not "<layer>.<role>.<A|B>" for this shape`);
    }
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`flops: matrixSteps["${key}"] must be a non-negative integer, got ${n}`);
  }
  const startTrainable = adapter.matrixTrainable ?? ((_l: number, _r: LinearRole) => adapter.kind === "lora");
  // Steps at which the set of trainable matrices changes, then the cost of each segment.
  const cuts = [...new Set([0, ...[...steps.values()].filter((n) => n < totalSteps)])].sort((a, b) => a - b);
  let total = 0;
  let firstStep = 0;
  let lastStep = 0;
  cuts.forEach((from, i) => {
    const to = i + 1 < cuts.length ? cuts[i + 1]! : totalSteps;
    const at: AdapterShape = {
      ...adapter,
      matrixTrainable: (l, role, m) => {
        const n = steps.get(matrixKey(l, role, m));
        return startTrainable(l, role, m) && (n === undefined || from < n);
      },
    };
    const per = stepFlops(shape, at).total;
    if (i === 0) firstStep = per;
    lastStep = per;
    total += per * (to - from);
  });
  return { total, averagePerStep: total / totalSteps, firstStep, lastStep };
}
