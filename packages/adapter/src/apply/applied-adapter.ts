import * as tf from "@tensorflow/tfjs-core";
import type { Linear, ParameterRegistry, TrainableCounts } from "@aflora/core";
import type { AdapterConfig } from "../methods.js";
import type { AdaptableModel } from "../base/adaptable-model.js";
import type { LowRankPath } from "../base/low-rank-path.js";
import type { AdapterPlan, ModulePlan } from "../base/plan.js";

type Flags = ReturnType<ParameterRegistry["flags"]>;

export interface AdaptedModule {
  readonly linear: Linear;
  readonly path: LowRankPath;
  readonly plan: ModulePlan;
}

export interface AppliedAdapterParts {
  model: AdaptableModel;
  config: AdapterConfig;
  plan: AdapterPlan;
  modules: Map<string, AdaptedModule>;
  modulesToSave: string[];
  savedParameters: string[];
  /** Flags of the model's own parameters before the adapter changed them, restored by `remove`. */
  previousFlags: Flags;
  subscription: { unsubscribe(): void };
}

/**
 * An adapter attached to a model: the wrapped Linears, its registered tensors, and what
 * it changed, so `remove` can restore the model exactly.
 */
export class AppliedAdapter {
  readonly config: AdapterConfig;
  readonly plan: AdapterPlan;
  readonly model: AdaptableModel;
  /** Adapted modules by name, in model order. */
  readonly modules: ReadonlyMap<string, AdaptedModule>;
  /** PEFT `modules_to_save`: modules trained in full (the head). */
  readonly modulesToSave: readonly string[];
  /** The model's parameters under `modulesToSave`, saved with the adapter. */
  readonly savedParameters: readonly string[];
  private removed = false;

  constructor(private readonly parts: AppliedAdapterParts) {
    this.config = parts.config;
    this.plan = parts.plan;
    this.model = parts.model;
    this.modules = parts.modules;
    this.modulesToSave = parts.modulesToSave;
    this.savedParameters = parts.savedParameters;
  }

  get params(): ParameterRegistry {
    return this.model.params;
  }

  /** Registry names of every adapter tensor. */
  get parameterNames(): string[] {
    return this.plan.tensors.map((t) => t.name);
  }

  /** Registry names of the projection matrices (A, B): what the freezing plugins may freeze. */
  get matrixNames(): string[] {
    return this.plan.tensors.filter((t) => t.group === "adapter-matrix").map((t) => t.name);
  }

  get merged(): boolean {
    return [...this.modules.values()].some((m) => m.linear.merged);
  }

  /** Folds every path into its W0: inference then costs what the base model costs. */
  merge(): void {
    this.assertLive();
    for (const m of this.modules.values()) m.linear.merge();
  }

  unmerge(): void {
    this.assertLive();
    for (const m of this.modules.values()) m.linear.unmerge();
  }

  /** Dropout on the adapter input only while training. */
  setTraining(training: boolean): void {
    for (const m of this.modules.values()) m.path.training = training;
  }

  /** Counts like PEFT's `print_trainable_parameters`, with and without the head. */
  counts(): TrainableCounts {
    return this.params.counts();
  }

  /** Detaches the adapter (unmerging first), disposes its tensors and restores the model's trainable flags. */
  remove(): void {
    this.assertLive();
    this.unmerge();
    for (const m of this.modules.values()) m.linear.adapter = null;
    for (const t of this.plan.tensors) this.params.unregister(t.name);
    this.params.restoreFlags(this.parts.previousFlags);
    this.parts.subscription.unsubscribe();
    this.removed = true;
  }

  /** The variable behind a registry name (borrowed). */
  variable(name: string): tf.Variable {
    return this.params.get(name).variable;
  }

  private assertLive(): void {
    if (this.removed) throw new Error("adapter: this adapter was removed from its model");
  }
}
