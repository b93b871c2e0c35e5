import type {
  FreezeSchedule,
  FreezingScorer,
  Json,
  ParameterRegistry,
  PluginContext,
  RunStartEvent,
  ScheduleContext,
  StepEndEvent,
  StepGradientsEvent,
  TrackedMatrix,
  TrainerEvent,
  TrainerPlugin,
} from "@aflora/core";
import { Subject, type Observable } from "rxjs";
import { kthSmallest, mean } from "./kth-smallest.js";
import { defaultPairKey } from "./pair-key.js";

/** The parameter group whose trainable members are scored and frozen. */
export const FREEZABLE_GROUP = "adapter-matrix";

export type Granularity = "matrix" | "pair";

export interface FreezingControllerOptions {
  scorer: FreezingScorer;
  schedule: FreezeSchedule;
  /** "matrix" (the authors'): A and B decided independently; "pair": A and B of one module together, by the average of their mean scores. */
  granularity?: Granularity;
  /** Module key for pair granularity (default: the name with `lora_A`/`lora_B` unified). */
  pairKey?: (name: string) => string;
}

/** One matrix's freeze, for the paper's freezing heatmap. */
export interface FreezeRecordEntry {
  name: string;
  /** Optimizer step whose `step:end` froze it (it still received that step's update). */
  step: number;
  /** Its mean element score (pair granularity: the pair's average); null for schedule-wide freezes. */
  score: number | null;
  /** The schedule's remaining ratio at that step. */
  threshold: number;
  /** The k-th smallest element score it was compared with; null for schedule-wide freezes. */
  maskThreshold: number | null;
  reason: string;
}

/** What the controller did at one step (also the data the fixture runner compares). */
export interface FreezingStepDecision {
  step: number;
  /** The freezer had stopped before this step (everything frozen): nothing was updated or decided. */
  skipped: boolean;
  threshold: number;
  mask: boolean;
  freezeAll: boolean;
  /** Trainable parameters without the head, and trainable projection-matrix parameters, counted before freezing (decision steps only). */
  counts?: { trainableParams: number; unfrozenMatrixParams: number };
  /** The freezer stopped at this step (lazy stop: nothing was left to freeze). */
  stopNow: boolean;
  kth?: { poolSize: number; k: number; kReal: number };
  maskThreshold: number | null;
  /** Mean element score per tracked matrix (decision steps with scores). */
  scores?: Map<string, number>;
  frozen: string[];
  accumulated: number;
  lastStep: number;
}

export interface TrainableAccounting {
  /** Σ count·(steps elapsed) over decision steps (the authors' `avg_train_params` accumulator). */
  accumulated: number;
  lastStep: number;
  stopped: boolean;
  stopStep: number | null;
  /** accumulated / T once stopped (what the authors report); null if the freezer never stopped. */
  averageTrainableParams: number | null;
}

interface SavedState {
  version: 1;
  scorer: string;
  schedule: string;
  granularity: Granularity;
  stopped: boolean;
  stopStep: number | null;
  accumulated: number;
  lastStep: number;
  lastGradientStep: number | null;
  record: FreezeRecordEntry[];
  scorerState: Json;
}

/**
 * AFLoRA's adaptive freezing as a trainer plugin. At `step:gradients` it feeds the raw,
 * accumulated gradients of the still-trainable projection matrices (group "adapter-matrix")
 * to the scorer — once per optimizer step. At `step:end` it asks the schedule and, on decision
 * steps, counts trainable parameters, takes the k-th smallest element score over the pool of
 * still-trainable matrices (k = trunc(N·(1 − threshold))) and freezes each matrix whose mean
 * score is strictly below it. Deciding after the update keeps the authors' semantics: a
 * matrix frozen at step t still received step t's update. FORMAT.md §2 is the specification.
 *
 * Where the authors' code crashes this does not: k == 0 freezes nothing and training goes on.
 */
export class FreezingController implements TrainerPlugin {
  readonly name = "adaptive-freezing";
  readonly stateKey = "freezing";
  readonly scorer: FreezingScorer;
  readonly schedule: FreezeSchedule;
  readonly granularity: Granularity;
  private readonly pairKey: (name: string) => string;

  private params: ParameterRegistry | null = null;
  private scheduleCtx: ScheduleContext | null = null;
  private stopped = false;
  private stopStep: number | null = null;
  private accumulated = 0;
  private lastStep = 0;
  private lastGradientStep: number | null = null;
  private record: FreezeRecordEntry[] = [];
  private failed: Error | null = null;
  private readonly decisions$ = new Subject<FreezingStepDecision>();
  private last: FreezingStepDecision | null = null;

  constructor(options: FreezingControllerOptions) {
    this.scorer = options.scorer;
    this.schedule = options.schedule;
    this.granularity = options.granularity ?? "matrix";
    this.pairKey = options.pairKey ?? defaultPairKey;
    if (
      this.scorer.deltaT !== undefined &&
      this.schedule.deltaT !== undefined &&
      this.scorer.deltaT !== this.schedule.deltaT
    ) {
      throw new Error(
        `adaptive freezing: schedule.deltaT (${this.schedule.deltaT}) differs from scorer.deltaT (${this.scorer.deltaT}); decisions must fall on the scorer's window boundaries, set both to the same value`,
      );
    }
  }

  /** Every decision, as it is taken (one per `step:end`). */
  get decisions(): Observable<FreezingStepDecision> {
    return this.decisions$.asObservable();
  }

  get lastDecision(): FreezingStepDecision | null {
    return this.last;
  }

  /** The error that failed the controller (also thrown to the event's emitter), or null; later events are ignored. */
  get failure(): Error | null {
    return this.failed;
  }

  attach(ctx: PluginContext): () => void {
    this.params = ctx.params;
    this.scheduleCtx ??= {
      totalSteps: ctx.run.totalSteps,
      stepsPerEpoch: ctx.run.stepsPerEpoch,
      epochs: ctx.run.epochs,
    };
    const sub = ctx.events.subscribe((e) => this.handle(e));
    return () => sub.unsubscribe();
  }

  /** Routes one trainer event; exported for trainers that call plugins directly. */
  handle(e: TrainerEvent): void {
    if (this.failed) return;
    try {
      if (e.type === "run:start") this.onRunStart(e);
      else if (e.type === "step:gradients") this.onGradients(e);
      else if (e.type === "step:end") this.onStepEnd(e);
    } catch (err) {
      const step = "step" in e ? e.step : "?";
      this.failed = new Error(
        `adaptive freezing failed at step ${step}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
      throw this.failed; // core's EventBus rethrows it from emit, so the run ends with run:error
    }
  }

  /** Freezes, in order, with the step, score and threshold of each matrix: the freezing heatmap's data. */
  freezeRecord(): FreezeRecordEntry[] {
    return this.record.map((r) => ({ ...r }));
  }

  accounting(): TrainableAccounting {
    const T = this.scheduleCtx?.totalSteps ?? 0;
    return {
      accumulated: this.accumulated,
      lastStep: this.lastStep,
      stopped: this.stopped,
      stopStep: this.stopStep,
      averageTrainableParams: this.stopped && T > 0 ? this.accumulated / T : null,
    };
  }

  private onRunStart(e: RunStartEvent): void {
    this.scheduleCtx = { totalSteps: e.totalSteps, stepsPerEpoch: e.stepsPerEpoch, epochs: e.epochs };
    if (this.schedule.freezesAtStart && e.startStep === 0) {
      const names = this.registry().names({ group: FREEZABLE_GROUP, trainable: true });
      this.freeze(names, e.startStep, 0, null, new Map(), `schedule:${this.schedule.name}`);
    }
  }

  private onGradients(e: StepGradientsEvent): void {
    if (this.stopped) return;
    if (this.lastGradientStep !== null && e.step <= this.lastGradientStep) {
      throw new Error(
        `step:gradients for step ${e.step} after step ${this.lastGradientStep}: the freezing scores are updated once per optimizer step (emit step:gradients once, with the accumulated gradient)`,
      );
    }
    const tracked: TrackedMatrix[] = [];
    for (const p of this.registry().list({ group: FREEZABLE_GROUP, trainable: true })) {
      const grad = e.gradients.get(p.name);
      if (!grad)
        throw new Error(
          `step:gradients at step ${e.step} has no gradient for the trainable projection matrix "${p.name}"`,
        );
      tracked.push({ name: p.name, grad, value: e.values.get(p.name) ?? p.variable });
    }
    this.scorer.update(e.step, tracked);
    this.lastGradientStep = e.step;
  }

  private onStepEnd(e: StepEndEvent): void {
    const step = e.step;
    const ctx = this.context();
    const d = this.schedule.at(step, ctx);
    const decision: FreezingStepDecision = {
      step,
      skipped: this.stopped,
      threshold: d.threshold,
      mask: d.mask,
      freezeAll: d.freezeAll === true,
      stopNow: false,
      maskThreshold: null,
      frozen: [],
      accumulated: this.accumulated,
      lastStep: this.lastStep,
    };
    if (!this.stopped && (d.mask || d.freezeAll)) {
      if (this.lastGradientStep !== step) throw new Error(`step:end for step ${step} without its step:gradients`);
      this.decide(step, d.threshold, d.freezeAll === true, ctx, decision);
    }
    decision.accumulated = this.accumulated;
    decision.lastStep = this.lastStep;
    this.last = decision;
    this.decisions$.next(decision);
  }

  private decide(
    step: number,
    threshold: number,
    freezeAll: boolean,
    ctx: ScheduleContext,
    out: FreezingStepDecision,
  ): void {
    const params = this.registry();
    const counts = params.counts("head");
    const trainableParams = counts.trainableWithoutHead;
    const unfrozenMatrixParams = counts.byGroup[FREEZABLE_GROUP]?.trainable ?? 0;
    out.counts = { trainableParams, unfrozenMatrixParams };
    if (unfrozenMatrixParams === 0) {
      this.accumulated += trainableParams * (ctx.totalSteps - this.lastStep);
      this.stopped = true;
      this.stopStep = step;
      out.stopNow = true;
      return;
    }
    this.accumulated += trainableParams * (step - this.lastStep);
    this.lastStep = step;
    const names = params.names({ group: FREEZABLE_GROUP, trainable: true });
    if (freezeAll) {
      out.frozen = this.freeze(names, step, threshold, null, new Map(), `schedule:${this.schedule.name}`);
      return;
    }
    const elementScores = this.scorer.elementScores(names);
    let poolSize = 0;
    for (const n of names) poolSize += this.scoresOf(elementScores, n).length;
    const kReal = poolSize * (1 - threshold);
    const k = Math.trunc(kReal);
    out.kth = { poolSize, k, kReal };
    const means = new Map<string, number>();
    for (const n of names) means.set(n, mean(this.scoresOf(elementScores, n)));
    out.scores = means;
    if (k < 1) return; // the authors' code crashes here (torch.kthvalue with k = 0); aflora freezes nothing and goes on
    const pool = new Float32Array(poolSize);
    let offset = 0;
    for (const n of names) {
      const s = this.scoresOf(elementScores, n);
      pool.set(s, offset);
      offset += s.length;
    }
    const maskThreshold = kthSmallest(pool, Math.min(k, poolSize));
    out.maskThreshold = maskThreshold;
    const decisionScores = this.granularity === "pair" ? this.pairScores(names, means) : means;
    const below = names.filter((n) => decisionScores.get(n)! < maskThreshold);
    out.frozen = this.freeze(below, step, threshold, maskThreshold, decisionScores, `adaptive:${this.scorer.name}`);
  }

  private pairScores(names: readonly string[], means: ReadonlyMap<string, number>): Map<string, number> {
    const groups = new Map<string, string[]>();
    for (const n of names) {
      const key = this.pairKey(n);
      const g = groups.get(key);
      if (g) g.push(n);
      else groups.set(key, [n]);
    }
    const out = new Map<string, number>();
    for (const members of groups.values()) {
      let s = 0;
      for (const m of members) s += means.get(m)!;
      const avg = s / members.length;
      for (const m of members) out.set(m, avg);
    }
    return out;
  }

  private freeze(
    names: string[],
    step: number,
    threshold: number,
    maskThreshold: number | null,
    scores: ReadonlyMap<string, number>,
    reason: string,
  ): string[] {
    if (names.length === 0) return [];
    const details: Record<string, unknown> = {
      threshold,
      maskThreshold,
      scores: Object.fromEntries(names.map((n) => [n, scores.get(n) ?? null])),
    };
    const newly = this.registry().freeze(names, reason, details);
    for (const n of newly)
      this.record.push({ name: n, step, score: scores.get(n) ?? null, threshold, maskThreshold, reason });
    this.scorer.forget(newly);
    return newly;
  }

  private scoresOf(scores: ReadonlyMap<string, Float32Array>, name: string): Float32Array {
    const s = scores.get(name);
    if (!s) throw new Error(`scorer "${this.scorer.name}" returned no scores for "${name}"`);
    return s;
  }

  private registry(): ParameterRegistry {
    if (!this.params) throw new Error("adaptive freezing: the controller is not attached to a run");
    return this.params;
  }

  private context(): ScheduleContext {
    if (!this.scheduleCtx) throw new Error("adaptive freezing: no run:start seen and no run info");
    return this.scheduleCtx;
  }

  saveState(): { json: Json; tensors: Record<string, { data: Float32Array; shape: number[] }> } {
    const scorerState = this.scorer.saveState();
    const tensors: Record<string, { data: Float32Array; shape: number[] }> = {};
    for (const [k, t] of Object.entries(scorerState.tensors ?? {})) {
      tensors[`scorer/${k}`] =
        t instanceof Float32Array
          ? { data: t.slice(), shape: [t.length] }
          : { data: t.data.slice(), shape: [...t.shape] };
    }
    const json: SavedState = {
      version: 1,
      scorer: this.scorer.name,
      schedule: this.schedule.name,
      granularity: this.granularity,
      stopped: this.stopped,
      stopStep: this.stopStep,
      accumulated: this.accumulated,
      lastStep: this.lastStep,
      lastGradientStep: this.lastGradientStep,
      record: this.record.map((r) => ({ ...r })),
      scorerState: scorerState.json,
    };
    return { json: json as unknown as Json, tensors };
  }

  loadState(state: { json: Json; tensors: Record<string, { data: Float32Array; shape: number[] }> }): void {
    const s = state.json as unknown as SavedState;
    if (!s || s.version !== 1) throw new Error("freezing state: unsupported or missing version");
    for (const [what, saved, now] of [
      ["scorer", s.scorer, this.scorer.name],
      ["schedule", s.schedule, this.schedule.name],
      ["granularity", s.granularity, this.granularity],
    ] as const) {
      if (saved !== now)
        throw new Error(
          `freezing state: the checkpoint was written with ${what} "${saved}" but this run uses "${now}"`,
        );
    }
    const scorerTensors: Record<string, { data: Float32Array; shape: number[] }> = {};
    for (const [k, t] of Object.entries(state.tensors))
      if (k.startsWith("scorer/")) scorerTensors[k.slice("scorer/".length)] = t;
    this.scorer.loadState({ json: s.scorerState, tensors: scorerTensors });
    this.stopped = s.stopped;
    this.stopStep = s.stopStep;
    this.accumulated = s.accumulated;
    this.lastStep = s.lastStep;
    this.lastGradientStep = s.lastGradientStep;
    this.record = s.record.map((r) => ({ ...r }));
  }
}
