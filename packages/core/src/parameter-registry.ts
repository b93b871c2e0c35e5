import * as tf from "@tensorflow/tfjs-core";
import { Subject, type Observable } from "rxjs";
import type { TrainableCounts } from "./events.js";

/** Groups the paper's accounting and the optimizer's parameter groups are built from. */
export type ParameterGroup = "base" | "adapter-matrix" | "adapter-vector" | "head" | (string & {});

export interface NamedParameter {
  /** Hugging Face / PEFT state-dict name, e.g. `deberta.encoder.layer.0.intermediate.dense.lora_A.weight`. */
  readonly name: string;
  readonly variable: tf.Variable;
  readonly group: ParameterGroup;
  readonly trainable: boolean;
  /** Shape as stored in the state dict (Hugging Face layout); may differ from `variable.shape` (e.g. a transposed kernel). */
  readonly stateShape: readonly number[];
  /** Why and at which step the parameter was frozen during the run; undefined if never frozen. */
  readonly frozenAt?: { step: number; reason: string };
}

export interface RegisterOptions {
  group: ParameterGroup;
  trainable: boolean;
  /** Hugging Face layout shape when the variable is stored differently (see `toState`). */
  stateShape?: readonly number[];
  /** Converts the variable's value to the Hugging Face layout (e.g. transposes a [in,out] kernel to [out,in]). */
  toState?: (value: tf.Tensor) => tf.Tensor;
  /** Inverse of `toState`. */
  fromState?: (value: tf.Tensor) => tf.Tensor;
}

export interface FreezeNotice {
  names: string[];
  reason: string;
  step: number;
  details?: Record<string, unknown>;
}

interface Entry {
  name: string;
  variable: tf.Variable;
  group: ParameterGroup;
  trainable: boolean;
  stateShape: readonly number[];
  toState?: (value: tf.Tensor) => tf.Tensor;
  fromState?: (value: tf.Tensor) => tf.Tensor;
  frozenAt?: { step: number; reason: string };
}

/**
 * Named tf.Variables with a trainable flag and a group. The trainer asks it for the
 * trainable set at every step, so `freeze` takes effect from the next step on.
 */
export class ParameterRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly frozen$ = new Subject<FreezeNotice>();
  /** Current optimizer step; the trainer keeps it up to date so freezes are stamped. */
  currentStep = 0;

  /** Emits once per `freeze` call that froze at least one parameter. */
  get freezes(): Observable<FreezeNotice> {
    return this.frozen$.asObservable();
  }

  register(name: string, variable: tf.Variable, options: RegisterOptions): NamedParameter {
    if (this.entries.has(name)) throw new Error(`ParameterRegistry: parameter "${name}" is already registered`);
    const entry: Entry = {
      name,
      variable,
      group: options.group,
      trainable: options.trainable,
      stateShape: options.stateShape ?? variable.shape,
      toState: options.toState,
      fromState: options.fromState,
    };
    this.entries.set(name, entry);
    return this.view(entry);
  }

  /** Removes a parameter (and disposes its variable unless `keepVariable`). Used when an adapter is removed. */
  unregister(name: string, keepVariable = false): void {
    const e = this.entries.get(name);
    if (!e) return;
    this.entries.delete(name);
    if (!keepVariable) e.variable.dispose();
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get(name: string): NamedParameter {
    const e = this.entries.get(name);
    if (!e) throw new Error(`ParameterRegistry: no parameter named "${name}"`);
    return this.view(e);
  }

  list(filter?: { group?: ParameterGroup; trainable?: boolean }): NamedParameter[] {
    const out: NamedParameter[] = [];
    for (const e of this.entries.values()) {
      if (filter?.group !== undefined && e.group !== filter.group) continue;
      if (filter?.trainable !== undefined && e.trainable !== filter.trainable) continue;
      out.push(this.view(e));
    }
    return out;
  }

  names(filter?: { group?: ParameterGroup; trainable?: boolean }): string[] {
    return this.list(filter).map((p) => p.name);
  }

  trainableVariables(): Map<string, tf.Variable> {
    const m = new Map<string, tf.Variable>();
    for (const e of this.entries.values()) if (e.trainable) m.set(e.name, e.variable);
    return m;
  }

  /**
   * Takes parameters out of the trainable set from the next step on. Already-frozen names
   * are ignored; unknown names are an error. Returns the names that were newly frozen.
   */
  freeze(names: Iterable<string>, reason: string, details?: Record<string, unknown>): string[] {
    const newly: string[] = [];
    for (const n of names) {
      const e = this.entries.get(n);
      if (!e) throw new Error(`ParameterRegistry.freeze: no parameter named "${n}"`);
      if (!e.trainable) continue;
      e.trainable = false;
      e.frozenAt = { step: this.currentStep, reason };
      newly.push(n);
    }
    if (newly.length > 0) this.frozen$.next({ names: newly, reason, step: this.currentStep, details });
    return newly;
  }

  /** Makes parameters trainable (setup time only: adapters, `modules_to_save`, restoring a checkpoint). */
  unfreeze(names: Iterable<string>): void {
    for (const n of names) {
      const e = this.entries.get(n);
      if (!e) throw new Error(`ParameterRegistry.unfreeze: no parameter named "${n}"`);
      e.trainable = true;
      e.frozenAt = undefined;
    }
  }

  /** Restores trainable flags and freeze stamps exactly (checkpoint resume). */
  restoreFlags(flags: Record<string, { trainable: boolean; frozenAt?: { step: number; reason: string } }>): void {
    for (const [n, f] of Object.entries(flags)) {
      const e = this.entries.get(n);
      if (!e) throw new Error(`ParameterRegistry: checkpoint names unknown parameter "${n}"`);
      e.trainable = f.trainable;
      e.frozenAt = f.frozenAt;
    }
  }

  flags(): Record<string, { trainable: boolean; frozenAt?: { step: number; reason: string } }> {
    const out: Record<string, { trainable: boolean; frozenAt?: { step: number; reason: string } }> = {};
    for (const e of this.entries.values())
      out[e.name] = e.frozenAt ? { trainable: e.trainable, frozenAt: e.frozenAt } : { trainable: e.trainable };
    return out;
  }

  /** Value in Hugging Face layout (caller disposes). */
  stateValue(name: string): tf.Tensor {
    const e = this.entries.get(name);
    if (!e) throw new Error(`ParameterRegistry: no parameter named "${name}"`);
    return e.toState ? tf.tidy(() => e.toState!(e.variable)) : e.variable.clone();
  }

  /** Assigns a value given in Hugging Face layout; the shape must match `stateShape`. */
  assignState(name: string, value: tf.Tensor): void {
    const e = this.entries.get(name);
    if (!e) throw new Error(`ParameterRegistry: no parameter named "${name}"`);
    if (!sameShape(value.shape, e.stateShape)) {
      throw new Error(
        `ParameterRegistry: shape mismatch for "${name}": expected [${e.stateShape.join(", ")}], got [${value.shape.join(", ")}]`,
      );
    }
    tf.tidy(() => e.variable.assign(e.fromState ? e.fromState(value) : value));
  }

  counts(headGroup: ParameterGroup = "head"): TrainableCounts {
    let total = 0;
    let trainable = 0;
    let trainableWithoutHead = 0;
    const byGroup: Record<string, { total: number; trainable: number }> = {};
    for (const e of this.entries.values()) {
      const size = e.variable.size;
      total += size;
      const g = (byGroup[e.group] ??= { total: 0, trainable: 0 });
      g.total += size;
      if (e.trainable) {
        trainable += size;
        g.trainable += size;
        if (e.group !== headGroup) trainableWithoutHead += size;
      }
    }
    return { total, trainable, trainableWithoutHead, byGroup };
  }

  /** Disposes every variable (end of a run). */
  dispose(): void {
    for (const e of this.entries.values()) e.variable.dispose();
    this.entries.clear();
    this.frozen$.complete();
  }

  private view(e: Entry): NamedParameter {
    return {
      name: e.name,
      variable: e.variable,
      group: e.group,
      trainable: e.trainable,
      stateShape: e.stateShape,
      frozenAt: e.frozenAt,
    };
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
