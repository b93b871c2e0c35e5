import * as tf from "@tensorflow/tfjs-core";
import type { Subscription } from "rxjs";
import type { ParameterRegistry } from "../parameter-registry.js";
import { FusedKernels, optionalKernels } from "../nn/optional-kernel.js";
import { DEFAULT_GROUP, type ParamGroupSpec, type ResolvedGroup } from "./param-groups.js";

/**
 * Hugging Face `TrainingArguments.optim` names of the two AdamW flavours aflora implements:
 * "adamw_torch" is `torch.optim.AdamW`; "adamw_hf" is transformers' own `AdamW` (the default
 * optimizer of transformers 4.31, the version the AFLoRA authors pin).
 */
export const OPTIM_NAMES = ["adamw_torch", "adamw_hf"] as const;
export type OptimName = (typeof OPTIM_NAMES)[number];

export interface AdamWConfig {
  /** Which AdamW update (see OPTIM_NAMES). Default "adamw_torch". */
  variant?: OptimName;
  /** Base learning rate (before the schedule's multiplier). */
  lr: number;
  /** Decoupled weight decay of the default group; torch's default is 0.01. */
  weightDecay?: number;
  betas?: [number, number];
  eps?: number;
  /** Parameter groups, first match wins; unmatched parameters form the group "default". */
  groups?: ParamGroupSpec[];
}

interface Slots {
  expAvg: tf.Variable;
  expAvgSq: tf.Variable;
  /** Updates this variable has received (torch keeps `state["step"]` per parameter). */
  step: number;
}

export interface AdamWSavedState {
  /** Per parameter: updates received. */
  steps: Record<string, number>;
  /** Per parameter: first and second moments, in the variable's layout (borrowed). */
  moments: Map<string, { expAvg: tf.Tensor; expAvgSq: tf.Tensor }>;
}

/**
 * AdamW exactly as `torch.optim.AdamW` (single-tensor path), variant "adamw_torch":
 * p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε).
 * Variant "adamw_hf", as transformers' `AdamW` (correct_bias=True): the same moments, then
 * p ← p − (lr·√(1−β2ᵗ) / (1−β1ᵗ)) · m / (√v + ε), and only then p ← p − lr·wd·p (the decay
 * uses the updated weights). ε is added to √v, not to √v̂, so it weighs √(1−β2ᵗ) times less
 * early in training.
 * Slots are created lazily at a variable's first update and disposed as soon as the
 * ParameterRegistry freezes it.
 */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly variant: OptimName;
  private readonly slots = new Map<string, Slots>();
  private readonly groupByName = new Map<string, ResolvedGroup>();
  private readonly groups: ResolvedGroup[];
  private readonly specs: ParamGroupSpec[];
  private readonly sub: Subscription;

  constructor(
    private readonly registry: ParameterRegistry,
    readonly config: AdamWConfig,
  ) {
    this.variant = config.variant ?? "adamw_torch";
    if (!(OPTIM_NAMES as readonly string[]).includes(this.variant)) {
      throw new Error(
        `optimizer.variant (optim): expected one of ${OPTIM_NAMES.join(", ")}, got ${JSON.stringify(config.variant)}`,
      );
    }
    if (!(config.lr >= 0)) throw new Error(`optimizer.lr: expected a non-negative number, got ${config.lr}`);
    const [b1, b2] = config.betas ?? [0.9, 0.999];
    for (const [field, b] of [
      ["betas[0]", b1],
      ["betas[1]", b2],
    ] as const) {
      if (!(b >= 0 && b < 1)) throw new Error(`optimizer.${field}: expected a number in [0, 1), got ${b}`);
    }
    this.beta1 = b1;
    this.beta2 = b2;
    this.eps = config.eps ?? 1e-8;
    if (!(this.eps >= 0)) throw new Error(`optimizer.eps: expected a non-negative number, got ${this.eps}`);
    this.specs = config.groups ?? [];
    const seen = new Set<string>();
    this.groups = [...this.specs.map((s) => s.name), DEFAULT_GROUP].map((name, i) => {
      if (seen.has(name)) throw new Error(`optimizer.groups[${i}].name: duplicate group name "${name}"`);
      seen.add(name);
      const s = this.specs[i];
      const lr = s?.lr ?? config.lr * (s?.lrScale ?? 1);
      const weightDecay = s?.weightDecay ?? config.weightDecay ?? 0.01;
      if (!(lr >= 0)) throw new Error(`optimizer.groups[${i}].lr: expected a non-negative number, got ${lr}`);
      if (!(weightDecay >= 0))
        throw new Error(`optimizer.groups[${i}].weightDecay: expected a non-negative number, got ${weightDecay}`);
      return { name, lr, weightDecay };
    });
    this.sub = registry.freezes.subscribe((n) => this.release(n.names));
  }

  /** The group a parameter belongs to (fixed for the run). */
  groupOf(name: string): ResolvedGroup {
    let g = this.groupByName.get(name);
    if (!g) {
      const p = this.registry.get(name);
      const i = this.specs.findIndex((s) => s.match(p));
      g = i >= 0 ? this.groups[i]! : this.groups[this.groups.length - 1]!;
      this.groupByName.set(name, g);
    }
    return g;
  }

  /** Every group's name and base lr (before the schedule). */
  groupList(): readonly ResolvedGroup[] {
    return this.groups;
  }

  /** Learning rate of each group for a schedule multiplier. */
  learningRates(factor: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const g of this.groups) out[g.name] = g.lr * factor;
    return out;
  }

  /** One update of every variable in `grads` (named as in the registry) with the base lrs times `lrFactor`. */
  step(grads: ReadonlyMap<string, tf.Tensor>, lrFactor: number): void {
    for (const [name, grad] of grads) {
      const variable = this.registry.get(name).variable;
      const { lr: baseLr, weightDecay } = this.groupOf(name);
      const lr = baseLr * lrFactor;
      let s = this.slots.get(name);
      if (!s) {
        s = { expAvg: zerosVariable(variable), expAvgSq: zerosVariable(variable), step: 0 };
        this.slots.set(name, s);
      }
      s.step += 1;
      const bc1 = 1 - Math.pow(this.beta1, s.step);
      const bc2Sqrt = Math.sqrt(1 - Math.pow(this.beta2, s.step));
      const slots = s;
      const hf = this.variant === "adamw_hf";
      // The JS numbers the ops turn into float32 scalars; the fused kernel gets the same ones.
      const attrs = {
        variant: this.variant,
        beta1: this.beta1,
        oneMinusBeta1: 1 - this.beta1,
        beta2: this.beta2,
        oneMinusBeta2: 1 - this.beta2,
        eps: this.eps,
        stepSize: hf ? (lr * bc2Sqrt) / bc1 : lr / bc1,
        bc2Sqrt,
        decay: weightDecay !== 0 && lr !== 0,
        decayFactor: hf ? lr * weightDecay : 1 - lr * weightDecay,
      };
      tf.tidy(() => {
        const [p, m, v] = optionalKernels(
          FusedKernels.AdamWStep,
          { param: variable, grad, expAvg: slots.expAvg, expAvgSq: slots.expAvgSq },
          () => {
            const m = tf.add(tf.mul(slots.expAvg, attrs.beta1), tf.mul(grad, attrs.oneMinusBeta1));
            const v = tf.add(tf.mul(slots.expAvgSq, attrs.beta2), tf.mul(tf.square(grad), attrs.oneMinusBeta2));
            if (hf) {
              const updated = tf.sub(variable, tf.mul(tf.div(m, tf.add(tf.sqrt(v), attrs.eps)), attrs.stepSize));
              return [attrs.decay ? tf.sub(updated, tf.mul(updated, attrs.decayFactor)) : updated, m, v];
            }
            const decayed = attrs.decay ? tf.mul(variable, attrs.decayFactor) : variable;
            const denom = tf.add(tf.div(tf.sqrt(v), attrs.bc2Sqrt), attrs.eps);
            return [tf.sub(decayed, tf.mul(tf.div(m, denom), attrs.stepSize)), m, v];
          },
          attrs,
        );
        slots.expAvg.assign(m!);
        slots.expAvgSq.assign(v!);
        variable.assign(p!);
      });
      // Frozen during this step (before the update): it keeps this update, but needs no slots.
      if (!this.registry.get(name).trainable) this.release([name]);
    }
  }

  /** Names of the variables that hold slots. */
  slotNames(): string[] {
    return [...this.slots.keys()];
  }

  /** Disposes the slots of these variables (frozen: they are never updated again). */
  release(names: Iterable<string>): void {
    for (const n of names) {
      const s = this.slots.get(n);
      if (!s) continue;
      s.expAvg.dispose();
      s.expAvgSq.dispose();
      this.slots.delete(n);
    }
  }

  /** Borrowed view of the moments and step counts, for checkpoints. */
  saveState(): AdamWSavedState {
    const steps: Record<string, number> = {};
    const moments = new Map<string, { expAvg: tf.Tensor; expAvgSq: tf.Tensor }>();
    for (const [n, s] of this.slots) {
      steps[n] = s.step;
      moments.set(n, { expAvg: s.expAvg, expAvgSq: s.expAvgSq });
    }
    return { steps, moments };
  }

  /** Replaces every slot with the saved ones (values copied; the caller keeps ownership of `state`). */
  loadState(state: {
    steps: Record<string, number>;
    moments: ReadonlyMap<string, { expAvg: tf.Tensor; expAvgSq: tf.Tensor }>;
  }): void {
    this.release([...this.slots.keys()]);
    for (const [n, step] of Object.entries(state.steps)) {
      const variable = this.registry.get(n).variable;
      const m = state.moments.get(n);
      if (!m) throw new Error(`AdamW.loadState: no moments for "${n}"`);
      for (const [k, t] of [
        ["exp_avg", m.expAvg],
        ["exp_avg_sq", m.expAvgSq],
      ] as const) {
        if (t.shape.join(",") !== variable.shape.join(",")) {
          throw new Error(
            `AdamW.loadState: ${k} of "${n}" has shape [${t.shape.join(", ")}], the variable [${variable.shape.join(", ")}]`,
          );
        }
      }
      if (!Number.isInteger(step) || step < 1)
        throw new Error(`AdamW.loadState: step count of "${n}" must be a positive integer, got ${step}`);
      this.slots.set(n, { expAvg: tf.variable(m.expAvg, false), expAvgSq: tf.variable(m.expAvgSq, false), step });
    }
  }

  dispose(): void {
    this.sub.unsubscribe();
    this.release([...this.slots.keys()]);
  }
}

function zerosVariable(like: tf.Tensor): tf.Variable {
  const z = tf.zerosLike(like);
  const v = tf.variable(z, false);
  z.dispose();
  return v;
}
