import {
  EventBus,
  ParameterRegistry,
  type FreezingScorer,
  type PluginRegistry,
  type ParameterGroup,
  type RunInfo,
  type TrainerControl,
  type TrainerEvent,
} from "@aflora/core";
import type { SmoothedScorer } from "@aflora/scorer";
import * as tf from "@tensorflow/tfjs-core";
import { createFreezingController, type FreezingConfig } from "../create-freezing-controller.js";
import { pyFloorDiv } from "../exact-math.js";
import { FREEZABLE_GROUP, type FreezingController, type FreezingStepDecision } from "../freezing-controller.js";
import type { ReferenceScenario, ReferenceStep } from "./fixture-format.js";
import { formatAverage } from "./format-average.js";

export interface ScenarioResult {
  scenario: string;
  file: string;
  ok: boolean;
  /** The first divergence (FAIL), or a one-line summary (PASS). */
  message: string;
  stepsReplayed: number;
  freezes: number;
  avgTrainParams: number | null;
}

/** Relative tolerance for float32 means (FORMAT.md §6: summation order differs from PyTorch's). */
export const MEAN_RELATIVE_TOLERANCE = 1e-5;

class Divergence extends Error {}

function diverge(step: number | null, field: string, expected: unknown, actual: unknown): never {
  const where = step === null ? "" : `step ${step}: `;
  throw new Divergence(`${where}${field}: expected ${fmt(expected)}, got ${fmt(actual)}`);
}

function fmt(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  return JSON.stringify(v, (_k, x) => (x instanceof Map ? Object.fromEntries(x) : x));
}

/** Delivers one event as the trainer does; an error from the controller is a divergence (aflora must not crash). */
function emit(bus: EventBus, step: number | null, event: TrainerEvent): void {
  try {
    bus.emit(event);
  } catch (e) {
    diverge(step, event.type, "no error", (e as Error).message);
  }
}

function closeRel(actual: number, expected: number): boolean {
  if (actual === expected) return true;
  return Math.abs(actual - expected) <= MEAN_RELATIVE_TOLERANCE * Math.max(Math.abs(actual), Math.abs(expected));
}

function groupOf(p: ReferenceScenario["params"][number]): ParameterGroup {
  if (p.freezable) return FREEZABLE_GROUP;
  const owner = p.name.split(".").slice(0, -1).join(".");
  if (owner.includes("classifier")) return "head";
  return p.trainable_initially ? "adapter-vector" : "base";
}

/** The run config the reference's `Pruner` config corresponds to. */
export function freezingConfigOf(s: ReferenceScenario): FreezingConfig {
  const c = s.config;
  const scorer =
    c.pruner_name === "Magnitude"
      ? { name: "magnitude" }
      : c.pruner_name === "PLATON"
        ? { name: "aflora", beta1: c.beta1, beta2: c.beta2, deltaT: c.deltaT }
        : null;
  if (!scorer) throw new Divergence(`config.pruner_name: unknown pruner "${c.pruner_name}" (PLATON or Magnitude)`);
  return {
    scorer,
    schedule: {
      name: "cubic",
      initialThreshold: c.initial_threshold,
      finalThreshold: c.final_threshold,
      initialWarmupEpochs: c.initial_warmup,
      finalWarmupEpochs: c.final_warmup,
      deltaT: c.deltaT,
    },
    granularity: "matrix",
  };
}

/**
 * Replays one reference scenario through the real scorer, schedule and controller, driven as
 * the trainer drives them: a ParameterRegistry whose variables hold the fixture's values, and
 * `run:start` / `step:gradients` / `step:end` events on core's EventBus. Stops at the first
 * divergence from the reference (or from aflora's documented behaviour at the reference's
 * error steps).
 */
/** The scorer statistics this replay compares (AFLoRA's smoothed scorers have them), found without importing the scorer package. */
function isSmoothed(scorer: FreezingScorer): scorer is SmoothedScorer {
  return (
    typeof (scorer as Partial<SmoothedScorer>).statistics === "function" &&
    typeof (scorer as Partial<SmoothedScorer>).mode === "string"
  );
}

/**
 * Replays one reference trace. `plugins` holds the scorers and schedules (the caller registers them:
 * the scheduler never imports the scorer package).
 */
export function replayScenario(s: ReferenceScenario, file: string, plugins: PluginRegistry): ScenarioResult {
  const result: ScenarioResult = {
    scenario: s.scenario,
    file,
    ok: false,
    message: "",
    stepsReplayed: 0,
    freezes: 0,
    avgTrainParams: null,
  };
  const tensorsBefore = tf.memory().numTensors;
  const registry = new ParameterRegistry();
  let controller: FreezingController | null = null;
  try {
    const calls = s.harness?.calls_per_global_step ?? 1;
    if (calls !== 1)
      throw new Divergence(
        `harness.calls_per_global_step = ${calls}: aflora updates scores once per optimizer step (documented), so this trace cannot be replayed`,
      );
    const expectedError = s.summary.error;
    try {
      controller = createFreezingController(freezingConfigOf(s), { plugins, field: "scenario.config" });
    } catch (e) {
      if (expectedError?.type === "AttributeError" && s.config.beta2 === 2 && /beta2/.test((e as Error).message)) {
        result.ok = true;
        result.message = `beta2 = 2 refused when the config is read (documented; the reference raises AttributeError at step ${expectedError.global_step})`;
        return result;
      }
      throw new Divergence(`creating the freezer failed: ${(e as Error).message}`);
    }
    const shapes = new Map<string, number[]>();
    for (const p of s.params) {
      shapes.set(p.name, p.shape);
      const zeros = tf.zeros(p.shape);
      registry.register(p.name, tf.variable(zeros, false), { group: groupOf(p), trainable: p.trainable_initially });
      zeros.dispose();
    }
    const T = s.config.total_step;
    const epochs = s.config.num_train_epochs;
    const stepsPerEpoch = pyFloorDiv(T, epochs);
    checkStartCounts(s, registry);

    const events = new EventBus();
    let stopRequested: string | null = null;
    const control: TrainerControl = {
      requestStop: (reason) => {
        stopRequested = reason;
      },
      requestCheckpoint: () => {},
      get stopRequested() {
        return stopRequested;
      },
    };
    const run: RunInfo = {
      runId: `repro:${s.scenario}`,
      totalSteps: T,
      stepsPerEpoch,
      epochs,
      seed: 0,
      outputDir: null,
    };
    const detach = controller.attach({ events: events.events, params: registry, control, run });
    emit(events, null, {
      type: "run:start",
      runId: run.runId,
      totalSteps: T,
      stepsPerEpoch,
      epochs,
      backend: "cpu",
      startStep: 0,
      trainable: registry.counts("head"),
    });

    for (const step of s.steps) {
      replayStep(s, step, registry, shapes, events, controller, stepsPerEpoch);
      result.stepsReplayed++;
      if (step.expected.error) break;
    }
    detach();
    checkSummary(s, controller);
    const acc = controller.accounting();
    result.freezes = controller.freezeRecord().length;
    result.avgTrainParams = acc.averageTrainableParams;
    result.ok = true;
    const err = expectedError
      ? `; reference error ${expectedError.type} at step ${expectedError.global_step} handled as documented`
      : "";
    result.message = `${result.stepsReplayed} steps, ${result.freezes} freezes, avg trainable params ${formatAverage(acc.averageTrainableParams)}${err}`;
  } catch (e) {
    if (!(e instanceof Divergence)) throw e;
    result.message = e.message;
  } finally {
    registry.dispose();
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  if (leaked !== 0 && result.ok) {
    result.ok = false;
    result.message = `${leaked} tensors leaked while replaying`;
  }
  return result;
}

function checkStartCounts(s: ReferenceScenario, registry: ParameterRegistry): void {
  const c = s.summary.param_counts_at_start;
  if (!c) return;
  const counts = registry.counts("head");
  const ab = counts.byGroup[FREEZABLE_GROUP] ?? { total: 0, trainable: 0 };
  if (counts.trainableWithoutHead !== c.trainable_params)
    diverge(null, "param_counts_at_start.trainable_params", c.trainable_params, counts.trainableWithoutHead);
  if (ab.trainable !== c.lora_AB_trainable)
    diverge(null, "param_counts_at_start.lora_AB_trainable", c.lora_AB_trainable, ab.trainable);
  const allWithoutHead = counts.total - (counts.byGroup["head"]?.total ?? 0); // the reference's all_params also skips the classifier
  if (c.all_params !== undefined && allWithoutHead !== c.all_params)
    diverge(null, "param_counts_at_start.all_params", c.all_params, allWithoutHead);
  if (c.lora_AB_all !== undefined && ab.total !== c.lora_AB_all)
    diverge(null, "param_counts_at_start.lora_AB_all", c.lora_AB_all, ab.total);
}

function replayStep(
  s: ReferenceScenario,
  step: ReferenceStep,
  registry: ParameterRegistry,
  shapes: ReadonlyMap<string, number[]>,
  events: EventBus,
  controller: FreezingController,
  stepsPerEpoch: number,
): void {
  const t = step.global_step;
  const epoch = stepsPerEpoch > 0 ? Math.floor(t / stepsPerEpoch) : 0;
  registry.currentStep = t;
  for (const [name, data] of Object.entries(step.values ?? {})) {
    const shape = shapes.get(name);
    if (!shape) diverge(t, `values["${name}"]`, "a parameter listed in params", "an unknown name");
    tf.tidy(() => registry.get(name).variable.assign(tf.tensor(Float32Array.from(data), shape)));
  }
  const gradients = new Map<string, tf.Tensor>();
  for (const [name, data] of Object.entries(step.grads ?? {})) {
    const shape = shapes.get(name);
    if (!shape) diverge(t, `grads["${name}"]`, "a parameter listed in params", "an unknown name");
    gradients.set(name, tf.tensor(Float32Array.from(data), shape));
  }
  const values = new Map<string, tf.Variable>();
  for (const p of registry.list({ trainable: true })) values.set(p.name, p.variable);
  try {
    emit(events, t, { type: "step:gradients", step: t, epoch, gradients, values });
  } finally {
    for (const g of gradients.values()) g.dispose();
  }
  const means = scorerMeans(controller, step);
  emit(events, t, {
    type: "step:end",
    step: t,
    epoch,
    loss: 0,
    learningRates: {},
    gradNorm: 0,
    trainable: registry.counts("head"),
  });
  const d = controller.lastDecision;
  if (!d || d.step !== t) diverge(t, "decision", `a decision for step ${t}`, d ? `step ${d.step}` : "none");
  if (step.expected.error) checkErrorStep(s, step, d, controller);
  else checkStep(step, d, registry, means);
}

type Means = { ipt: Map<string, number>; expAvgIpt: Map<string, number>; expAvgUnc: Map<string, number> | null } | null;

/** Means of the scorer's window statistics right after `step:gradients` (the reference's state "after the call"). */
function scorerMeans(controller: FreezingController, step: ReferenceStep): Means {
  const scorer = controller.scorer;
  if (!isSmoothed(scorer)) return null;
  const names = Object.keys(step.expected.ipt_mean ?? {});
  const ipt = new Map<string, number>();
  const expAvgIpt = new Map<string, number>();
  let expAvgUnc: Map<string, number> | null = new Map();
  for (const n of names) {
    const st = scorer.statistics(n);
    if (!st) diverge(step.global_step, `ipt_mean["${n}"]`, "scorer statistics", "none (matrix not tracked)");
    ipt.set(n, meanOf(st.ipt));
    expAvgIpt.set(n, meanOf(st.expAvgIpt));
    if (st.expAvgUnc && expAvgUnc) expAvgUnc.set(n, meanOf(st.expAvgUnc));
    else expAvgUnc = null;
  }
  return { ipt, expAvgIpt, expAvgUnc };
}

function meanOf(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

function checkMeans(
  t: number,
  field: string,
  expected: Record<string, number> | undefined,
  actual: Map<string, number> | null | undefined,
): void {
  if (!expected) return;
  if (!actual) diverge(t, field, "recorded", "no such state in aflora's scorer");
  for (const [n, v] of Object.entries(expected)) {
    const a = actual.get(n);
    if (a === undefined || !closeRel(a, Math.fround(v))) diverge(t, `${field}["${n}"]`, v, a ?? "missing");
  }
}

function returnedOf(d: FreezingStepDecision): [number | null, number | null] {
  if (d.skipped || d.stopNow) return [null, null];
  if (!d.mask) return [d.threshold, null];
  return [d.threshold, d.maskThreshold];
}

function checkStep(step: ReferenceStep, d: FreezingStepDecision, registry: ParameterRegistry, means: Means): void {
  const e = step.expected;
  const t = step.global_step;
  if (d.threshold !== e.threshold) diverge(t, "threshold", e.threshold, d.threshold);
  if (d.mask !== e.mask_ind) diverge(t, "mask_ind", e.mask_ind, d.mask);
  if (d.skipped !== (e.skipped_stop_pruning === true))
    diverge(t, "skipped_stop_pruning", e.skipped_stop_pruning === true, d.skipped);
  if (e.returned) {
    const r = returnedOf(d);
    if (r[0] !== e.returned[0]) diverge(t, "returned[0] (threshold)", e.returned[0], r[0]);
    const exp1 = e.returned[1] === null ? null : Math.fround(e.returned[1]);
    if (r[1] !== exp1) diverge(t, "returned[1] (mask_threshold)", e.returned[1], r[1]);
  }
  if (!!e.counts !== !!d.counts) diverge(t, "counts", e.counts ?? "not counted", d.counts ?? "not counted");
  if (e.counts && d.counts) {
    if (d.counts.trainableParams !== e.counts.trainable_params)
      diverge(t, "counts.trainable_params", e.counts.trainable_params, d.counts.trainableParams);
    if (d.counts.unfrozenMatrixParams !== e.counts.unfreezed_lora_AB)
      diverge(t, "counts.unfreezed_lora_AB", e.counts.unfreezed_lora_AB, d.counts.unfrozenMatrixParams);
  }
  if ((e.stop_pruning_now === true) !== d.stopNow)
    diverge(t, "stop_pruning_now", e.stop_pruning_now === true, d.stopNow);
  if (!!e.kth !== !!d.kth) diverge(t, "kth", e.kth ?? "not requested", d.kth ?? "not requested");
  if (e.kth && d.kth) {
    if (d.kth.poolSize !== e.kth.pool_size) diverge(t, "kth.pool_size", e.kth.pool_size, d.kth.poolSize);
    if (d.kth.kReal !== e.kth.k_real) diverge(t, "kth.k_real", e.kth.k_real, d.kth.kReal);
    if (d.kth.k !== e.kth.k) diverge(t, "kth.k", e.kth.k, d.kth.k);
  }
  if (e.mask_threshold !== undefined && d.maskThreshold !== Math.fround(e.mask_threshold))
    diverge(t, "mask_threshold", e.mask_threshold, d.maskThreshold);
  if (e.scores) {
    const ours = d.scores ?? new Map<string, number>();
    if (ours.size !== Object.keys(e.scores).length)
      diverge(t, "scores (matrices)", Object.keys(e.scores), [...ours.keys()]);
    for (const [n, v] of Object.entries(e.scores)) {
      const a = ours.get(n);
      if (a === undefined || !closeRel(a, Math.fround(v))) diverge(t, `scores["${n}"]`, v, a ?? "missing");
    }
  }
  checkMeans(t, "ipt_mean", e.ipt_mean, means?.ipt);
  checkMeans(t, "exp_avg_ipt_mean", e.exp_avg_ipt_mean, means?.expAvgIpt);
  checkMeans(t, "exp_avg_unc_mean", e.exp_avg_unc_mean, means?.expAvgUnc);
  if (e.frozen_now && fmt(e.frozen_now) !== fmt(d.frozen)) diverge(t, "frozen_now", e.frozen_now, d.frozen);
  if (e.trainable_freezable) {
    const now = registry.names({ group: FREEZABLE_GROUP, trainable: true });
    if (fmt(e.trainable_freezable) !== fmt(now)) diverge(t, "trainable_freezable", e.trainable_freezable, now);
  }
  if (e.avg_train_params_acc !== undefined && d.accumulated !== e.avg_train_params_acc)
    diverge(t, "avg_train_params_acc", e.avg_train_params_acc, d.accumulated);
  if (e.last_step !== undefined && d.lastStep !== e.last_step) diverge(t, "last_step", e.last_step, d.lastStep);
}

/**
 * At a step where the reference raised, aflora's documented behaviour is checked instead:
 * - RuntimeError (torch.kthvalue with k = 0): the same k = 0 is computed, nothing freezes, training goes on;
 * - KeyError (beta2 == 1, or ≤ 0: the reference's logging reads a never-allocated uncertainty): no crash;
 *   with beta2 == 1 every matrix is scored by its smoothed sensitivity Ī alone.
 */
function checkErrorStep(
  s: ReferenceScenario,
  step: ReferenceStep,
  d: FreezingStepDecision,
  controller: FreezingController,
): void {
  const e = step.expected;
  const t = step.global_step;
  const type = e.error!.type;
  if (d.threshold !== e.threshold) diverge(t, "threshold", e.threshold, d.threshold);
  if (d.mask !== e.mask_ind) diverge(t, "mask_ind", e.mask_ind, d.mask);
  if (e.counts) {
    if (!d.counts) diverge(t, "counts", e.counts, "not counted");
    if (d.counts.trainableParams !== e.counts.trainable_params)
      diverge(t, "counts.trainable_params", e.counts.trainable_params, d.counts.trainableParams);
    if (d.counts.unfrozenMatrixParams !== e.counts.unfreezed_lora_AB)
      diverge(t, "counts.unfreezed_lora_AB", e.counts.unfreezed_lora_AB, d.counts.unfrozenMatrixParams);
  }
  if (type === "RuntimeError") {
    if (!e.kth || e.kth.k !== 0)
      diverge(t, "error", "RuntimeError with kth.k = 0 (the only RuntimeError FORMAT.md documents)", e.kth);
    if (!d.kth || d.kth.k !== 0 || d.kth.poolSize !== e.kth.pool_size || d.kth.kReal !== e.kth.k_real)
      diverge(t, "kth (k = 0 step)", e.kth, d.kth);
    if (d.frozen.length !== 0 || d.maskThreshold !== null)
      diverge(t, "k = 0 behaviour", "nothing frozen, no mask threshold", {
        frozen: d.frozen,
        maskThreshold: d.maskThreshold,
      });
  } else if (type === "KeyError") {
    if (!(s.config.beta2 === 1 || s.config.beta2 <= 0))
      diverge(t, "error", "KeyError only with beta2 == 1 or beta2 <= 0", `beta2 = ${s.config.beta2}`);
    if (!d.kth) diverge(t, "decision", "scored and decided without crashing", "no decision");
    if (s.config.beta2 === 1) {
      const scorer = controller.scorer;
      if (!isSmoothed(scorer) || scorer.mode !== "none")
        diverge(t, "beta2 = 1 score", "smoothed sensitivity alone", scorer.name);
      for (const [n, score] of d.scores ?? []) {
        const st = scorer.statistics(n);
        // frozen matrices' statistics are dropped; the others must score exactly mean(Ī)
        if (st && score !== meanOf(st.expAvgIpt))
          diverge(t, `scores["${n}"] (beta2 = 1 ⇒ mean of exp_avg_ipt)`, meanOf(st.expAvgIpt), score);
      }
    }
  } else {
    diverge(
      t,
      "error",
      "an error type with documented aflora behaviour (RuntimeError k = 0, KeyError beta2 = 1, AttributeError beta2 = 2)",
      type,
    );
  }
}

function checkSummary(s: ReferenceScenario, controller: FreezingController): void {
  const errorStep = s.summary.error?.global_step ?? Number.POSITIVE_INFINITY;
  const ours = new Map<string, number>();
  for (const r of controller.freezeRecord()) if (r.step < errorStep) ours.set(r.name, r.step);
  for (const [name, step] of Object.entries(s.summary.freeze_step_by_param)) {
    const a = ours.get(name) ?? null;
    if (a !== step) diverge(null, `summary.freeze_step_by_param["${name}"]`, step, a);
    ours.delete(name);
  }
  if (ours.size > 0) diverge(null, "summary.freeze_step_by_param", "no other freezes", Object.fromEntries(ours));
  if (s.summary.error) return;
  const acc = controller.accounting();
  if (acc.stopStep !== s.summary.stop_pruning_step)
    diverge(null, "summary.stop_pruning_step", s.summary.stop_pruning_step, acc.stopStep);
  if (acc.accumulated !== s.summary.avg_train_params_acc)
    diverge(null, "summary.avg_train_params_acc", s.summary.avg_train_params_acc, acc.accumulated);
  if (acc.averageTrainableParams !== s.summary.avg_train_params)
    diverge(null, "summary.avg_train_params", s.summary.avg_train_params, acc.averageTrainableParams);
}
