import type { Rng } from "@aflora/core";
import type { ModuleKind } from "./module-kind.js";
import type { ModuleSpec } from "./module-spec.js";

/** PEFT / authors' names of the four tensors of the low-rank path (see README, "Names"). */
export type TensorRole = "lora_A" | "lora_B" | "lora_d" | "lora_db";

/**
 * One tensor an adapter creates, described without allocating it: enough to count
 * parameters from shapes alone, and to build and register the variable later.
 */
export interface TensorPlan {
  /** ParameterRegistry name, e.g. `deberta.encoder.layer.0.intermediate.dense.lora_A.weight`. */
  readonly name: string;
  readonly role: TensorRole;
  /** The adapted module; null for a projection shared by all modules (ELoRA/VeRA `sharedProjection`). */
  readonly module: string | null;
  /** PEFT (PyTorch) layout: A [r, in], B [out, r], λd [r], λb [out]. */
  readonly stateShape: readonly number[];
  readonly group: "adapter-matrix" | "adapter-vector";
  readonly trainable: boolean;
  /** Values in state layout, drawn from `rng` (already forked for this tensor, so init order never matters). */
  readonly init: (rng: Rng) => Float32Array;
}

/** How one Linear's low-rank path is wired: `y += scaling · λb ⊙ ((λd ⊙ (x·A)) · B)`. */
export interface ModulePlan {
  readonly module: ModuleSpec;
  readonly kind: ModuleKind;
  readonly r: number;
  readonly scaling: number;
  readonly dropout: number;
  /** Tensor names; a shared A/B is sliced to this module's in/out features. */
  readonly a: string;
  readonly b: string;
  readonly d: string | null;
  readonly db: string | null;
}

export interface AdapterPlan {
  readonly tensors: readonly TensorPlan[];
  readonly modules: readonly ModulePlan[];
}

export function tensorName(module: string, role: TensorRole): string {
  return role === "lora_A" || role === "lora_B" ? `${module}.${role}.weight` : `${module}.${role}`;
}

/** Names of a projection shared across layers, as PEFT's VeRA calls it. */
export const SHARED_A = "vera_A";
export const SHARED_B = "vera_B";

export function stateSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
