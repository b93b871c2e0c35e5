import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import {
  EventBus,
  ParameterRegistry,
  type FreezeSchedule,
  type FreezingScorer,
  type Json,
  type ParameterGroup,
  type ScheduleDecision,
  type TrackedMatrix,
} from "@aflora/core";
import { FreezingController, type FreezingControllerOptions } from "../src/freezing-controller.js";

export async function useCpu(): Promise<void> {
  await tf.setBackend("cpu");
  await tf.ready();
}

export interface ParamSpec {
  name: string;
  shape: number[];
  group: ParameterGroup;
  trainable?: boolean;
}

/** Drives a controller the way the trainer does: a registry, and events on core's EventBus. */
export class Harness {
  readonly registry = new ParameterRegistry();
  /** The trainer's own event bus: synchronous delivery, a subscriber's error is rethrown from emit. */
  readonly bus = new EventBus();
  stopReason: string | null = null;
  private detach: (() => void) | null = null;

  constructor(
    readonly controller: FreezingController,
    params: ParamSpec[],
    readonly run = { totalSteps: 20, stepsPerEpoch: 5, epochs: 4 },
  ) {
    for (const p of params) {
      const z = tf.zeros(p.shape);
      this.registry.register(p.name, tf.variable(z, true), { group: p.group, trainable: p.trainable ?? true });
      z.dispose();
    }
  }

  start(startStep = 0): this {
    const control = {
      requestStop: (r: string) => {
        this.stopReason = r;
      },
      requestCheckpoint: () => {},
      stopRequested: null,
    };
    this.detach = this.controller.attach({
      events: this.bus.events,
      params: this.registry,
      control,
      run: { runId: "t", seed: 0, outputDir: null, ...this.run },
    });
    this.bus.emit({
      type: "run:start",
      runId: "t",
      backend: "cpu",
      startStep,
      trainable: this.registry.counts(),
      ...this.run,
    });
    return this;
  }

  /** One optimizer step: gradients (and optionally values) for the trainable parameters, then step:end. */
  step(t: number, grads: Record<string, number[]> = {}, values: Record<string, number[]> = {}): void {
    this.gradients(t, grads, values);
    this.end(t);
  }

  gradients(t: number, grads: Record<string, number[]> = {}, values: Record<string, number[]> = {}): void {
    this.registry.currentStep = t;
    for (const [n, v] of Object.entries(values)) {
      const p = this.registry.get(n);
      tf.tidy(() => p.variable.assign(tf.tensor(v, p.variable.shape)));
    }
    const g = new Map<string, tf.Tensor>();
    for (const p of this.registry.list({ trainable: true })) {
      g.set(p.name, grads[p.name] ? tf.tensor(grads[p.name]!, p.variable.shape) : tf.onesLike(p.variable));
    }
    const vals = new Map(this.registry.list({ trainable: true }).map((p) => [p.name, p.variable]));
    try {
      this.bus.emit({
        type: "step:gradients",
        step: t,
        epoch: Math.floor(t / this.run.stepsPerEpoch),
        gradients: g,
        values: vals,
      });
    } finally {
      for (const x of g.values()) x.dispose();
    }
  }

  end(t: number): void {
    this.bus.emit({
      type: "step:end",
      step: t,
      epoch: Math.floor(t / this.run.stepsPerEpoch),
      loss: 0,
      learningRates: {},
      gradNorm: 0,
      trainable: this.registry.counts(),
    });
  }

  trainableMatrices(): string[] {
    return this.registry.names({ group: "adapter-matrix", trainable: true });
  }

  dispose(): void {
    this.detach?.();
    this.registry.dispose();
  }
}

/** A scorer whose element scores the test sets directly (to test the controller's decisions alone). */
export class FixedScorer implements FreezingScorer {
  readonly name = "fixed";
  readonly stateKey = "scorer:fixed";
  scores = new Map<string, number[]>();
  updates: { step: number; names: string[] }[] = [];
  forgotten: string[] = [];

  update(step: number, tracked: readonly TrackedMatrix[]): void {
    this.updates.push({ step, names: tracked.map((t) => t.name) });
  }
  elementScores(names: readonly string[]): Map<string, Float32Array> {
    return new Map(names.map((n) => [n, Float32Array.from(this.scores.get(n)!)]));
  }
  forget(names: readonly string[]): void {
    this.forgotten.push(...names);
  }
  saveState(): { json: Json } {
    return { json: { scores: Object.fromEntries(this.scores) } };
  }
  loadState(state: { json: Json }): void {
    this.scores = new Map(Object.entries((state.json as { scores: Record<string, number[]> }).scores));
  }
}

/** A schedule that answers from a table (steps not listed: no decision). */
export class ScriptedSchedule implements FreezeSchedule {
  readonly name = "scripted";
  constructor(private readonly table: Record<number, ScheduleDecision>) {}
  at(step: number): ScheduleDecision {
    return this.table[step] ?? { threshold: 1, mask: false };
  }
}

export function controllerWith(
  options: Partial<FreezingControllerOptions> & Pick<FreezingControllerOptions, "scorer" | "schedule">,
): FreezingController {
  return new FreezingController(options);
}
