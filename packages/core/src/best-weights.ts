import * as tf from "@tensorflow/tfjs-core";
import type { ParameterRegistry } from "./parameter-registry.js";

/**
 * A copy of the parameters a run changes, taken at the best evaluation, so the run can end
 * on the best weights (Hugging Face's `load_best_model_at_end`). `tf.clone` shares storage
 * until the variable is next assigned, so capturing costs no copy up front.
 */
export class BestWeights {
  private readonly values = new Map<string, tf.Tensor>();

  constructor(
    private readonly registry: ParameterRegistry,
    readonly names: readonly string[],
  ) {}

  get captured(): boolean {
    return this.values.size > 0;
  }

  capture(): void {
    this.clear();
    for (const n of this.names) this.values.set(n, tf.clone(this.registry.get(n).variable));
  }

  /** Assigns the captured values back to the variables. */
  restore(): void {
    for (const [n, t] of this.values) this.registry.get(n).variable.assign(t);
  }

  /** Borrowed captured values (checkpoints save them). */
  tensors(): ReadonlyMap<string, tf.Tensor> {
    return this.values;
  }

  /** Replaces the captured values with copies of `values` (resume). */
  load(values: ReadonlyMap<string, tf.Tensor>): void {
    this.clear();
    for (const [n, t] of values) this.values.set(n, tf.clone(t));
  }

  clear(): void {
    for (const t of this.values.values()) t.dispose();
    this.values.clear();
  }
}
