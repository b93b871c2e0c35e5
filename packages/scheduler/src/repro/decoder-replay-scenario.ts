import {
  EventBus,
  ParameterRegistry,
  type FreezingScorer,
  type PluginRegistry,
  type ParameterGroup,
  type RunInfo,
  type TrainerControl,
} from "@aflora/core";
import type { AfloraDecoderScorer } from "@aflora/scorer";
import * as tf from "@tensorflow/tfjs-core";
import { container as rootContainer } from "tsyringe";
import { DecoderFreezingController, type DecoderFreezingDecision } from "../decoder/decoder-freezing-controller.js";
import { QuadraticFractionSchedule } from "../decoder/quadratic-fraction-schedule.js";
import { FREEZABLE_GROUP } from "../freezing-controller.js";
import type { DecoderScenario, DecoderStep } from "./decoder-fixture-format.js";
import { MEAN_RELATIVE_TOLERANCE, type ScenarioResult } from "./replay-scenario.js";
import { formatAverage } from "./format-average.js";

class Divergence extends Error {}

function diverge(step: number | null, field: string, expected: unknown, actual: unknown): never {
  const where = step === null ? "" : `step ${step}: `;
  throw new Divergence(`${where}${field}: expected ${fmt(expected)}, got ${fmt(actual)}`);
}

function fmt(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  return JSON.stringify(v, (_k, x) => (x instanceof Map ? Object.fromEntries(x) : x));
}

function closeRel(actual: number, expected: number): boolean {
  if (actual === expected) return true;
  return Math.abs(actual - expected) <= MEAN_RELATIVE_TOLERANCE * Math.max(Math.abs(actual), Math.abs(expected));
}

function meanOf(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

type StateMeans = { ipt: number; expAvgIpt: number; expAvgUnc: number | null };

interface ScoringCapture {
  step: number;
  poolMin: number;
  poolMax: number;
  logged: { sumExpAvgIpt: number; sumExpAvgUnc: number | null; sumScore: number };
}

/**
 * The real scorer, watched: records what the reference logs when it scores (pool extremes,
 * `logged` sums) and the state means of matrices just before they are forgotten (the
 * fixtures give the state "after the call" also for matrices the call froze).
 */
class WatchedScorer implements FreezingScorer {
  readonly name: string;
  readonly stateKey: string;
  readonly deltaT: number;
  step = -1;
  scoring: ScoringCapture | null = null;
  readonly forgotten = new Map<string, StateMeans>();

  constructor(readonly inner: AfloraDecoderScorer) {
    this.name = inner.name;
    this.stateKey = inner.stateKey;
    this.deltaT = inner.deltaT;
  }

  update(step: number, tracked: Parameters<FreezingScorer["update"]>[1]): void {
    this.step = step;
    this.scoring = null;
    this.forgotten.clear();
    this.inner.update(step, tracked);
  }

  elementScores(names: readonly string[]): Map<string, Float32Array> {
    const scores = this.inner.elementScores(names);
    let poolMin = Number.POSITIVE_INFINITY;
    let poolMax = Number.NEGATIVE_INFINITY;
    for (const s of scores.values())
      for (let i = 0; i < s.length; i++) {
        poolMin = Math.min(poolMin, s[i]!);
        poolMax = Math.max(poolMax, s[i]!);
      }
    this.scoring = { step: this.step, poolMin, poolMax, logged: this.inner.scoreLog(names, scores) };
    return scores;
  }

  means(name: string): StateMeans | null {
    const st = this.inner.statistics(name);
    if (!st) return this.forgotten.get(name) ?? null;
    return {
      ipt: meanOf(st.ipt),
      expAvgIpt: meanOf(st.expAvgIpt),
      expAvgUnc: st.expAvgUnc ? meanOf(st.expAvgUnc) : null,
    };
  }

  forget(names: readonly string[]): void {
    for (const n of names) {
      const m = this.means(n);
      if (m) this.forgotten.set(n, m);
    }
    this.inner.forget(names);
  }

  saveState(): ReturnType<FreezingScorer["saveState"]> {
    return this.inner.saveState();
  }

  loadState(state: Parameters<FreezingScorer["loadState"]>[0]): void {
    this.inner.loadState(state);
  }
}

function groupOf(p: DecoderScenario["params"][number]): ParameterGroup {
  if (p.freezable) return FREEZABLE_GROUP;
  if (p.name.split(".").slice(0, -1).join(".").includes("classifier")) return "head";
  return p.trainable_initially ? "adapter-vector" : "base";
}

/**
 * Replays one decoder scenario through aflora's `aflora-decoder` scorer, `quadratic-fraction`
 * schedule and `adaptive-freezing-decoder` controller, driven by `step:gradients` events on
 * core's EventBus as the trainer drives them. The classes are built directly (not through
 * the plugin options) so that configurations the options refuse, such as a negative final
 * threshold, still replay. At the reference's error step aflora's documented choice is
 * checked instead (docs/decoders.md).
 */
/** Replays one decoder trace; `plugins` holds the "aflora-decoder" scorer (registered by the caller). */
export function replayDecoderScenario(s: DecoderScenario, file: string, plugins: PluginRegistry): ScenarioResult {
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
  try {
    const calls = s.harness?.calls_per_global_step ?? 1;
    if (calls !== 1)
      throw new Divergence(
        `harness.calls_per_global_step = ${calls}: aflora runs the freezer once per optimizer step, so this trace cannot be replayed`,
      );
    const c = s.config;
    const inner = plugins.create<FreezingScorer>(
      "scorer",
      { name: "aflora-decoder", beta1: c.beta1, beta2: c.beta2, deltaT: c.deltaT },
      rootContainer.createChildContainer(),
      "scenario.config",
    );
    const scorer = new WatchedScorer(inner as AfloraDecoderScorer);
    const schedule = new QuadraticFractionSchedule({
      initialWarmup: c.initial_warmup,
      finalWarmup: c.final_warmup,
      initialThreshold: c.initial_threshold,
      finalThreshold: c.final_threshold,
      deltaT: c.deltaT,
    });
    const controller = new DecoderFreezingController(scorer, schedule);
    const shapes = new Map<string, number[]>();
    for (const p of s.params) {
      shapes.set(p.name, p.shape);
      const zeros = tf.zeros(p.shape);
      registry.register(p.name, tf.variable(zeros, false), { group: groupOf(p), trainable: p.trainable_initially });
      zeros.dispose();
    }
    checkStartCounts(s, registry);
    const T = c.total_step;
    const events = new EventBus();
    const control: TrainerControl = { requestStop: () => {}, requestCheckpoint: () => {}, stopRequested: null };
    const run: RunInfo = {
      runId: `repro:${s.scenario}`,
      totalSteps: T,
      stepsPerEpoch: T,
      epochs: 1,
      seed: 0,
      outputDir: null,
    };
    const detach = controller.attach({ events: events.events, params: registry, control, run });
    let warnings = 0;
    for (const step of s.steps) {
      warnings += replayStep(s, step, registry, shapes, events, controller, scorer);
      result.stepsReplayed++;
      if (step.expected.error) break;
    }
    detach();
    checkSummary(s, controller, warnings);
    const acc = controller.accounting();
    result.freezes = controller.freezeRecord().length;
    result.avgTrainParams = acc.averageTrainableParams;
    result.ok = true;
    const err = s.summary.error
      ? `; reference ${s.summary.error.type} at step ${s.summary.error.global_step} handled as documented`
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

function checkStartCounts(s: DecoderScenario, registry: ParameterRegistry): void {
  const c = s.summary.param_counts_at_start;
  if (!c) return;
  const counts = registry.counts("head");
  const ab = counts.byGroup[FREEZABLE_GROUP] ?? { total: 0, trainable: 0 };
  if (counts.trainableWithoutHead !== c.trainable_params)
    diverge(null, "param_counts_at_start.trainable_params", c.trainable_params, counts.trainableWithoutHead);
  if (ab.trainable !== c.lora_AB_trainable)
    diverge(null, "param_counts_at_start.lora_AB_trainable", c.lora_AB_trainable, ab.trainable);
  const allWithoutHead = counts.total - (counts.byGroup["head"]?.total ?? 0);
  if (c.all_params !== undefined && allWithoutHead !== c.all_params)
    diverge(null, "param_counts_at_start.all_params", c.all_params, allWithoutHead);
  if (c.lora_AB_all !== undefined && ab.total !== c.lora_AB_all)
    diverge(null, "param_counts_at_start.lora_AB_all", c.lora_AB_all, ab.total);
}

/** One call; returns the number of non-finite-gradient warnings aflora gave at it. */
function replayStep(
  s: DecoderScenario,
  step: DecoderStep,
  registry: ParameterRegistry,
  shapes: ReadonlyMap<string, number[]>,
  events: EventBus,
  controller: DecoderFreezingController,
  scorer: WatchedScorer,
): number {
  const t = step.global_step;
  registry.currentStep = t;
  step.values?.forEach((data, j) => {
    if (data === null) return;
    const name = s.matrices[j]!;
    tf.tidy(() => registry.get(name).variable.assign(tf.tensor(Float32Array.from(data), shapes.get(name))));
  });
  const gradients = new Map<string, tf.Tensor>();
  step.grads?.forEach((data, j) => {
    if (data === null) return;
    const name = s.matrices[j]!;
    const g = Float32Array.from(data);
    for (const [index, token] of step.grads_nonfinite?.[j] ?? []) g[index] = Number(token);
    gradients.set(name, tf.tensor(g, shapes.get(name)));
  });
  const values = new Map<string, tf.Variable>();
  for (const p of registry.list({ trainable: true })) values.set(p.name, p.variable);
  const trackedAtStart = registry.names({ group: FREEZABLE_GROUP, trainable: true });
  try {
    events.emit({ type: "step:gradients", step: t, epoch: 0, gradients, values });
  } catch (e) {
    diverge(t, "step:gradients", "no error (aflora goes on where the reference crashes)", (e as Error).message);
  } finally {
    for (const g of gradients.values()) g.dispose();
  }
  const d = controller.lastDecision;
  if (!d || d.step !== t) diverge(t, "decision", `a decision for step ${t}`, d ? `step ${d.step}` : "none");
  const warned = d.skipped ? [] : [...scorer.inner.nonFiniteLastStep];
  const e = step.expected;
  if (fmt(e.nan_inf_warned ?? []) !== fmt(warned)) diverge(t, "nan_inf_warned", e.nan_inf_warned ?? [], warned);
  if (e.error) checkErrorStep(s, step, d, scorer);
  else checkStep(s, step, d, registry, scorer);
  checkStateMeans(s, step, scorer, trackedAtStart, d);
  return warned.length;
}

function checkCounts(t: number, e: DecoderStep["expected"], d: DecoderFreezingDecision): void {
  if (!!e.counts !== !!d.counts) diverge(t, "counts", e.counts ?? "not counted", d.counts ?? "not counted");
  if (e.counts && d.counts) {
    if (d.counts.trainableParams !== e.counts.trainable_params)
      diverge(t, "counts.trainable_params", e.counts.trainable_params, d.counts.trainableParams);
    if (d.counts.unfrozenMatrixParams !== e.counts.unfreezed_lora_AB)
      diverge(t, "counts.unfreezed_lora_AB", e.counts.unfreezed_lora_AB, d.counts.unfrozenMatrixParams);
  }
}

function checkKth(t: number, e: DecoderStep["expected"], d: DecoderFreezingDecision): void {
  if (!!e.kth !== !!d.kth) diverge(t, "kth", e.kth ?? "not requested", d.kth ?? "not requested");
  if (e.kth && d.kth) {
    if (d.kth.poolSize !== e.kth.pool_size) diverge(t, "kth.pool_size", e.kth.pool_size, d.kth.poolSize);
    if (d.kth.kReal !== e.kth.k_real) diverge(t, "kth.k_real", e.kth.k_real, d.kth.kReal);
    if (d.kth.k !== e.kth.k) diverge(t, "kth.k", e.kth.k, d.kth.k);
  }
}

/** Scores (aligned means), pool extremes and the reference's logged sums, at steps that scored. */
function checkScoring(
  s: DecoderScenario,
  t: number,
  e: DecoderStep["expected"],
  d: DecoderFreezingDecision,
  scorer: WatchedScorer,
): void {
  if (e.scores) {
    const ours = d.scores ?? new Map<string, number>();
    e.scores.forEach((v, j) => {
      const name = s.matrices[j]!;
      const a = ours.get(name);
      if (v === null) {
        if (a !== undefined) diverge(t, `scores["${name}"]`, "not scored (not tracked)", a);
      } else if (a === undefined || !closeRel(a, Math.fround(v))) diverge(t, `scores["${name}"]`, v, a ?? "missing");
    });
  }
  const cap = scorer.scoring?.step === t ? scorer.scoring : null;
  if (e.pool_min !== undefined && cap?.poolMin !== Math.fround(e.pool_min))
    diverge(t, "pool_min", e.pool_min, cap?.poolMin);
  if (e.pool_max !== undefined && cap?.poolMax !== Math.fround(e.pool_max))
    diverge(t, "pool_max", e.pool_max, cap?.poolMax);
  if (e.logged) {
    if (!cap) diverge(t, "logged", e.logged, "no scoring");
    const { sumExpAvgIpt, sumExpAvgUnc, sumScore } = cap.logged;
    if (!closeRel(sumExpAvgIpt, Math.fround(e.logged.sum_exp_avg_ipt)))
      diverge(t, "logged.sum_exp_avg_ipt", e.logged.sum_exp_avg_ipt, sumExpAvgIpt);
    if (sumExpAvgUnc === null || !closeRel(sumExpAvgUnc, Math.fround(e.logged.sum_exp_avg_unc)))
      diverge(t, "logged.sum_exp_avg_unc", e.logged.sum_exp_avg_unc, sumExpAvgUnc);
    if (!closeRel(sumScore, Math.fround(e.logged.sum_is_dict)))
      diverge(t, "logged.sum_is_dict", e.logged.sum_is_dict, sumScore);
  }
}

function checkStep(
  s: DecoderScenario,
  step: DecoderStep,
  d: DecoderFreezingDecision,
  registry: ParameterRegistry,
  scorer: WatchedScorer,
): void {
  const e = step.expected;
  const t = step.global_step;
  if (d.threshold !== e.threshold) diverge(t, "threshold", e.threshold, d.threshold);
  if (d.mask !== e.mask_ind) diverge(t, "mask_ind", e.mask_ind, d.mask);
  if (d.zeroLengthRamp) diverge(t, "ramp", "a regular step", "a zero-length ramp step");
  if (d.skipped !== (e.skipped_stop_pruning === true))
    diverge(t, "skipped_stop_pruning", e.skipped_stop_pruning === true, d.skipped);
  if (e.returned) {
    const r: [number | null, number | null] =
      d.skipped || d.stopNow ? [null, null] : [d.threshold, d.mask ? d.maskThreshold : null];
    if (r[0] !== e.returned[0]) diverge(t, "returned[0] (threshold)", e.returned[0], r[0]);
    const exp1 = e.returned[1] === null ? null : Math.fround(e.returned[1]);
    if (r[1] !== exp1) diverge(t, "returned[1] (mask_threshold)", e.returned[1], r[1]);
  }
  checkCounts(t, e, d);
  if ((e.stop_pruning_now === true) !== d.stopNow)
    diverge(t, "stop_pruning_now", e.stop_pruning_now === true, d.stopNow);
  if (e.logged_avg_train_params !== undefined && d.accumulated / s.config.total_step !== e.logged_avg_train_params) {
    diverge(t, "logged_avg_train_params", e.logged_avg_train_params, d.accumulated / s.config.total_step);
  }
  checkKth(t, e, d);
  if (e.mask_threshold !== undefined && d.maskThreshold !== Math.fround(e.mask_threshold))
    diverge(t, "mask_threshold", e.mask_threshold, d.maskThreshold);
  checkScoring(s, t, e, d, scorer);
  if (e.frozen_now && fmt(e.frozen_now) !== fmt(d.frozen)) diverge(t, "frozen_now", e.frozen_now, d.frozen);
  const left = registry.names({ group: FREEZABLE_GROUP, trainable: true }).length;
  if (e.n_trainable_freezable !== undefined && left !== e.n_trainable_freezable)
    diverge(t, "n_trainable_freezable", e.n_trainable_freezable, left);
  if (e.avg_train_params_acc !== undefined && d.accumulated !== e.avg_train_params_acc)
    diverge(t, "avg_train_params_acc", e.avg_train_params_acc, d.accumulated);
  if (e.last_step !== undefined && d.lastStep !== e.last_step) diverge(t, "last_step", e.last_step, d.lastStep);
}

/** ipt / exp_avg_ipt / exp_avg_unc means after the call, for the matrices the fixture gives. */
function checkStateMeans(
  s: DecoderScenario,
  step: DecoderStep,
  scorer: WatchedScorer,
  trackedAtStart: readonly string[],
  d: DecoderFreezingDecision,
): void {
  if (d.skipped) return;
  const t = step.global_step;
  const e = step.expected;
  const fields = [
    ["ipt_mean", e.ipt_mean, (m: StateMeans) => m.ipt],
    ["exp_avg_ipt_mean", e.exp_avg_ipt_mean, (m: StateMeans) => m.expAvgIpt],
    ["exp_avg_unc_mean", e.exp_avg_unc_mean, (m: StateMeans) => m.expAvgUnc],
  ] as const;
  for (const [field, expected, pick] of fields) {
    expected?.forEach((v, j) => {
      if (v === null) return;
      const name = s.matrices[j]!;
      if (!trackedAtStart.includes(name)) diverge(t, `${field}["${name}"]`, v, "not tracked");
      const m = scorer.means(name);
      const a = m ? pick(m) : null;
      if (a === null || !closeRel(a, Math.fround(v))) diverge(t, `${field}["${name}"]`, v, a ?? "no such state");
    });
  }
}

/**
 * At the reference's error step aflora's documented choice is checked (docs/decoders.md):
 * - RuntimeError (torch.kthvalue with k < 1 or k > N): same k; k < 1 freezes nothing, k > N compares with the largest element;
 * - ZeroDivisionError (zero-length ramp): the step counts as warm-up (initial threshold, no decision);
 * - KeyError (beta2 == 1 or ≤ 0) and AttributeError (beta2 == 2): no crash; scored by the branch the reference's score code selects.
 */
function checkErrorStep(
  s: DecoderScenario,
  step: DecoderStep,
  d: DecoderFreezingDecision,
  scorer: WatchedScorer,
): void {
  const e = step.expected;
  const t = step.global_step;
  const type = e.error!.type;
  if (type !== "ZeroDivisionError") {
    if (d.threshold !== e.threshold) diverge(t, "threshold", e.threshold, d.threshold);
    if (d.mask !== e.mask_ind) diverge(t, "mask_ind", e.mask_ind, d.mask);
  }
  checkCounts(t, e, d);
  if (type === "RuntimeError") {
    if (!e.kth || (e.kth.k >= 1 && e.kth.k <= e.kth.pool_size))
      diverge(t, "error", "RuntimeError with k < 1 or k > N (FORMAT.md §4)", e.kth);
    checkKth(t, e, d);
    checkScoring(s, t, e, d, scorer);
    if (e.kth.k < 1 && (d.frozen.length !== 0 || d.maskThreshold !== null)) {
      diverge(t, "k < 1 (documented: nothing freezes)", "nothing frozen, no mask threshold", {
        frozen: d.frozen,
        maskThreshold: d.maskThreshold,
      });
    }
    if (e.kth.k > e.kth.pool_size && (d.maskThreshold === null || d.maskThreshold !== scorer.scoring?.poolMax)) {
      diverge(t, "k > N (documented: the largest element)", scorer.scoring?.poolMax, d.maskThreshold);
    }
  } else if (type === "ZeroDivisionError") {
    if (e.threshold !== null) diverge(t, "error", "ZeroDivisionError in the schedule (threshold null)", e.threshold);
    const documented = { threshold: s.config.initial_threshold, mask: false, zeroLengthRamp: true };
    const ours = { threshold: d.threshold, mask: d.mask, zeroLengthRamp: d.zeroLengthRamp };
    if (fmt(ours) !== fmt(documented)) diverge(t, "zero-length ramp (documented: a warm-up step)", documented, ours);
  } else if (type === "KeyError" || type === "AttributeError") {
    const b2 = s.config.beta2;
    const mode = scorer.inner.mode;
    const ok =
      type === "KeyError"
        ? (b2 === 1 && mode === "none") || (b2 <= 0 && mode === "window-deviation")
        : b2 === 2 && mode === "running-variance";
    if (!ok) diverge(t, `${type} (beta2 = ${b2})`, "the score branch the reference's score code selects", mode);
    // The reference raised before taking its k-th value, so there is no kth to compare.
    if (!d.kth) diverge(t, "decision", "scored and decided without crashing", "no decision");
    for (const [n, score] of d.scores ?? []) {
      const st = scorer.inner.statistics(n) ?? null;
      if (!st) continue; // frozen by this call; its statistics are gone
      const expected = meanOf(scorer.inner.elementScores([n]).get(n)!);
      if (score !== expected) diverge(t, `scores["${n}"] (${mode})`, expected, score);
    }
  } else {
    diverge(
      t,
      "error",
      "an error type with a documented aflora choice (RuntimeError, ZeroDivisionError, KeyError, AttributeError)",
      type,
    );
  }
}

function checkSummary(s: DecoderScenario, controller: DecoderFreezingController, warnings: number): void {
  const errorStep = s.summary.error?.global_step ?? Number.POSITIVE_INFINITY;
  const ours = new Map<string, number>();
  for (const r of controller.freezeRecord()) if (r.step < errorStep) ours.set(r.name, r.step);
  for (const [name, step] of Object.entries(s.summary.freeze_step_by_param)) {
    const a = ours.get(name) ?? null;
    if (a !== step) diverge(null, `summary.freeze_step_by_param["${name}"]`, step, a);
    ours.delete(name);
  }
  if (ours.size > 0) diverge(null, "summary.freeze_step_by_param", "no other freezes", Object.fromEntries(ours));
  if (s.summary.nan_inf_warnings !== undefined && warnings !== s.summary.nan_inf_warnings)
    diverge(null, "summary.nan_inf_warnings", s.summary.nan_inf_warnings, warnings);
  if (s.summary.error) return;
  const acc = controller.accounting();
  if (acc.stopStep !== s.summary.stop_pruning_step)
    diverge(null, "summary.stop_pruning_step", s.summary.stop_pruning_step, acc.stopStep);
  if (acc.accumulated !== s.summary.avg_train_params_acc)
    diverge(null, "summary.avg_train_params_acc", s.summary.avg_train_params_acc, acc.accumulated);
  if (acc.averageTrainableParams !== s.summary.avg_train_params)
    diverge(null, "summary.avg_train_params", s.summary.avg_train_params, acc.averageTrainableParams);
}
