import type {
  FreezeSchedule,
  FreezingScorer,
  Json,
  ParameterRegistry,
  PluginContext,
  RunStartEvent,
  ScheduleContext,
  StepGradientsEvent,
  TrackedMatrix,
  TrainerEvent,
  TrainerPlugin,
} from "@aflora/core";
import { Subject, type Observable } from "rxjs";
import { FREEZABLE_GROUP, type FreezeRecordEntry, type TrainableAccounting } from "../freezing-controller.js";
import { kthSmallest, mean } from "../kth-smallest.js";

/** What the decoder controller did at one optimizer step (also what the fixture runner compares). */
export interface DecoderFreezingDecision {
  step: number;
  /** The freezer had stopped before this step: nothing was updated or decided. */
  skipped: boolean;
  threshold: number;
  mask: boolean;
  /** The step fell in a zero-length ramp where the reference divides by zero (treated as warm-up). */
  zeroLengthRamp: boolean;
  /** Trainable parameters without the head, and trainable A/B elements, counted before freezing. */
  counts?: { trainableParams: number; unfrozenMatrixParams: number };
  stopNow: boolean;
  kth?: { poolSize: number; k: number; kReal: number };
  /** The k-th smallest element score; null when no k-th value was taken (k < 1 included). */
  maskThreshold: number | null;
  scores?: Map<string, number>;
  frozen: string[];
  accumulated: number;
  lastStep: number;
}

interface SavedState {
  version: 1;
  scorer: string;
  schedule: string;
  stopped: boolean;
  stopStep: number | null;
  accumulated: number;
  lastStep: number;
  lastGradientStep: number | null;
  record: FreezeRecordEntry[];
  scorerState: Json;
}

/**
 * AFLoRA's adaptive freezing as the authors run it on LLaMA (gsm8k `Pruner.pruning`, called by
 * their `CustomTrainerWFreeze.training_step`; fixtures/aflora-reference-decoder/FORMAT.md §2).
 * Everything happens at `step:gradients`, after backward and before clipping and the update:
 * the scorer is updated, the schedule asked and, on mask steps, A and B matrices are frozen
 * independently by their mean score against the global k-th smallest element score. A matrix
 * frozen here is no longer trainable; the trainer must drop its gradient from this step's
 * update (the reference sets it to None).
 *
 * Where the reference crashes this goes on (docs/decoders.md): k < 1 freezes nothing, k > N
 * takes the largest element, and a zero-length ramp step counts as warm-up.
 */
export class DecoderFreezingController implements TrainerPlugin {
  readonly name = "adaptive-freezing-decoder";
  readonly stateKey = "freezing";
  private params: ParameterRegistry | null = null;
  private scheduleCtx: ScheduleContext | null = null;
  private stopped = false;
  private stopStep: number | null = null;
  private accumulated = 0;
  private lastStep = 0;
  private lastGradientStep: number | null = null;
  private record: FreezeRecordEntry[] = [];
  private failed: Error | null = null;
  private readonly decisions$ = new Subject<DecoderFreezingDecision>();
  private last: DecoderFreezingDecision | null = null;

  constructor(
    readonly scorer: FreezingScorer,
    readonly schedule: FreezeSchedule,
  ) {
    if (scorer.deltaT !== undefined && schedule.deltaT !== undefined && scorer.deltaT !== schedule.deltaT) {
      throw new Error(
        `adaptive freezing (decoder): schedule.deltaT (${schedule.deltaT}) differs from scorer.deltaT (${scorer.deltaT}); mask steps must fall on the scorer's window starts`,
      );
    }
  }

  get decisions(): Observable<DecoderFreezingDecision> {
    return this.decisions$.asObservable();
  }

  get lastDecision(): DecoderFreezingDecision | null {
    return this.last;
  }

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

  handle(e: TrainerEvent): void {
    if (this.failed) return;
    try {
      if (e.type === "run:start") this.onRunStart(e);
      else if (e.type === "step:gradients") this.onGradients(e);
    } catch (err) {
      const step = "step" in e ? e.step : "?";
      this.failed = new Error(
        `adaptive freezing (decoder) failed at step ${step}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
      throw this.failed;
    }
  }

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
  }

  private onGradients(e: StepGradientsEvent): void {
    const step = e.step;
    if (this.lastGradientStep !== null && step <= this.lastGradientStep) {
      throw new Error(
        `step:gradients for step ${step} after step ${this.lastGradientStep}: the decoder freezer runs once per optimizer step`,
      );
    }
    this.lastGradientStep = step;
    const skipped = this.stopped;
    if (!skipped) this.scorer.update(step, this.tracked(e));
    const d = this.schedule.at(step, this.context()) as ReturnType<FreezeSchedule["at"]> & { zeroLengthRamp?: boolean };
    const decision: DecoderFreezingDecision = {
      step,
      skipped,
      threshold: d.threshold,
      mask: d.mask,
      zeroLengthRamp: d.zeroLengthRamp === true,
      stopNow: false,
      maskThreshold: null,
      frozen: [],
      accumulated: this.accumulated,
      lastStep: this.lastStep,
    };
    if (!skipped && (d.mask || d.freezeAll === true)) this.decide(step, d.threshold, d.freezeAll === true, decision);
    decision.accumulated = this.accumulated;
    decision.lastStep = this.lastStep;
    this.last = decision;
    this.decisions$.next(decision);
  }

  private tracked(e: StepGradientsEvent): TrackedMatrix[] {
    const out: TrackedMatrix[] = [];
    for (const p of this.registry().list({ group: FREEZABLE_GROUP, trainable: true })) {
      const grad = e.gradients.get(p.name);
      if (!grad)
        throw new Error(
          `step:gradients at step ${e.step} has no gradient for the trainable adapter matrix "${p.name}"`,
        );
      out.push({ name: p.name, grad, value: e.values.get(p.name) ?? p.variable });
    }
    return out;
  }

  private decide(step: number, threshold: number, freezeAll: boolean, out: DecoderFreezingDecision): void {
    const params = this.registry();
    const counts = params.counts("head");
    const trainableParams = counts.trainableWithoutHead;
    const unfrozenMatrixParams = counts.byGroup[FREEZABLE_GROUP]?.trainable ?? 0;
    out.counts = { trainableParams, unfrozenMatrixParams };
    if (unfrozenMatrixParams === 0) {
      this.accumulated += trainableParams * (this.context().totalSteps - this.lastStep);
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
    const scoresOf = (n: string): Float32Array => {
      const s = elementScores.get(n);
      if (!s) throw new Error(`scorer "${this.scorer.name}" returned no scores for "${n}"`);
      return s;
    };
    let poolSize = 0;
    for (const n of names) poolSize += scoresOf(n).length;
    const kReal = poolSize * (1 - threshold);
    const k = Math.trunc(kReal);
    out.kth = { poolSize, k, kReal };
    const means = new Map<string, number>();
    for (const n of names) means.set(n, mean(scoresOf(n)));
    out.scores = means;
    // The reference's torch.kthvalue raises for k < 1 (typical at the first ramp mask step) and k > N.
    if (k < 1) return;
    const pool = new Float32Array(poolSize);
    let offset = 0;
    for (const n of names) {
      pool.set(scoresOf(n), offset);
      offset += scoresOf(n).length;
    }
    const maskThreshold = kthSmallest(pool, Math.min(k, poolSize));
    out.maskThreshold = maskThreshold;
    const below = names.filter((n) => means.get(n)! < maskThreshold);
    out.frozen = this.freeze(below, step, threshold, maskThreshold, means, `adaptive:${this.scorer.name}`);
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

  private registry(): ParameterRegistry {
    if (!this.params) throw new Error("adaptive freezing (decoder): the controller is not attached to a run");
    return this.params;
  }

  private context(): ScheduleContext {
    if (!this.scheduleCtx) throw new Error("adaptive freezing (decoder): no run:start seen and no run info");
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
