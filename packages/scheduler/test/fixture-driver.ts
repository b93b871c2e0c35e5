import * as tf from "@tensorflow/tfjs-core";
import { EventBus, ParameterRegistry } from "@aflora/core";
import { readFileSync } from "node:fs";
import { FREEZABLE_GROUP, type FreezingController } from "../src/freezing-controller.js";
import type { ReferenceScenario } from "../src/repro/fixture-format.js";
import { pyFloorDiv } from "../src/exact-math.js";

export const FIXTURES = new URL("../../../fixtures/aflora-reference/", import.meta.url);

export function loadScenario(file: string): ReferenceScenario {
  return JSON.parse(readFileSync(new URL(file, FIXTURES), "utf8")) as ReferenceScenario;
}

/** Feeds a reference scenario's values and gradients to a controller through trainer events. */
export class ScenarioDriver {
  readonly registry = new ParameterRegistry();
  readonly bus = new EventBus();
  private detach: (() => void) | null = null;
  private readonly T: number;
  private readonly spe: number;

  constructor(
    readonly s: ReferenceScenario,
    readonly controller: FreezingController,
  ) {
    this.T = s.config.total_step;
    this.spe = pyFloorDiv(this.T, s.config.num_train_epochs);
    for (const p of s.params) {
      const z = tf.zeros(p.shape);
      const group = p.freezable
        ? FREEZABLE_GROUP
        : p.name.startsWith("classifier")
          ? "head"
          : p.trainable_initially
            ? "adapter-vector"
            : "base";
      this.registry.register(p.name, tf.variable(z, false), { group, trainable: p.trainable_initially });
      z.dispose();
    }
  }

  start(startStep = 0): this {
    const run = {
      runId: "r",
      totalSteps: this.T,
      stepsPerEpoch: this.spe,
      epochs: this.s.config.num_train_epochs,
      seed: 0,
      outputDir: null,
    };
    const control = { requestStop: () => {}, requestCheckpoint: () => {}, stopRequested: null };
    this.detach = this.controller.attach({ events: this.bus.events, params: this.registry, control, run });
    const { seed: _s, outputDir: _o, ...info } = run;
    this.bus.emit({ type: "run:start", backend: "cpu", startStep, trainable: this.registry.counts(), ...info });
    return this;
  }

  /** Sets every parameter to the values in force before step `step` (what a checkpoint restores). */
  restoreValuesBefore(step: number): void {
    for (const st of this.s.steps.slice(0, step)) this.applyValues(st.values ?? {});
  }

  run(from: number, to: number): void {
    for (const st of this.s.steps.slice(from, to)) {
      const t = st.global_step;
      this.registry.currentStep = t;
      this.applyValues(st.values ?? {});
      const grads = new Map(
        Object.entries(st.grads ?? {}).map(([n, g]) => [n, tf.tensor(g, this.registry.get(n).variable.shape)]),
      );
      const values = new Map(this.registry.list({ trainable: true }).map((p) => [p.name, p.variable]));
      const epoch = Math.floor(t / this.spe);
      this.bus.emit({ type: "step:gradients", step: t, epoch, gradients: grads, values });
      tf.dispose([...grads.values()]);
      this.bus.emit({
        type: "step:end",
        step: t,
        epoch,
        loss: 0,
        learningRates: {},
        gradNorm: 0,
        trainable: this.registry.counts(),
      });
    }
  }

  dispose(): void {
    this.detach?.();
    this.registry.dispose();
  }

  private applyValues(values: Record<string, number[]>): void {
    for (const [n, v] of Object.entries(values)) {
      const p = this.registry.get(n);
      tf.tidy(() => p.variable.assign(tf.tensor(v, p.variable.shape)));
    }
  }
}
