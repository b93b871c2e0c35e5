/** What the dashboard knows of one run, folded incrementally from its events.jsonl. */
export type RunStatus = "running" | "finished" | "failed" | "interrupted";

export interface EvalPoint {
  step: number;
  metrics: Record<string, number>;
}

export interface RunSeries {
  /** Optimizer step index of each point (events.jsonl's `step:end` step, 0-based). */
  steps: number[];
  loss: number[];
  gradNorm: number[];
  /** Trainable parameters without the classifier head, used by the step. */
  trainable: number[];
  /** Seconds from `step:start` to `step:end`. */
  stepTime: number[];
  /** Learning rate per optimizer group, aligned with `steps`. */
  lr: Map<string, number[]>;
}

const num = (v: unknown): number => (typeof v === "number" ? v : Number.NaN);

/** Folds event records in file order; a resumed segment supersedes what was recorded after its checkpoint. */
export class RunState {
  runId = "";
  totalSteps = 0;
  stepsPerEpoch = 0;
  backend: string | null = null;
  ended: { status: string } | null = null;
  error: string | null = null;
  segments = 0;
  readonly series: RunSeries = { steps: [], loss: [], gradNorm: [], trainable: [], stepTime: [], lr: new Map() };
  readonly evals: EvalPoint[] = [];
  selectionMetric: string | null = null;
  /** Matrix name → step it froze at. */
  readonly frozen = new Map<string, number>();
  firstTime: number | null = null;
  lastTime: number | null = null;
  private wallBefore = 0;
  private segmentStart: number | null = null;
  private stepStartTime: number | null = null;

  apply(e: Record<string, unknown>): void {
    const time = num(e.time);
    // A new segment closes the previous one at its last event's time, before this event counts.
    if (e.type === "run:start") this.startSegment(e, time);
    if (Number.isFinite(time)) {
      this.firstTime ??= time;
      this.lastTime = time;
    }
    switch (e.type) {
      case "step:start":
        this.stepStartTime = time;
        break;
      case "step:end":
        this.addStep(e, time);
        break;
      case "params:frozen":
        for (const name of Array.isArray(e.names) ? (e.names as string[]) : []) this.frozen.set(name, num(e.step));
        break;
      case "eval:end": {
        const step = num(e.step);
        const sel = e.selection as { metric?: string } | undefined;
        if (sel?.metric) this.selectionMetric = sel.metric;
        const at = this.evals.findIndex((p) => p.step === step);
        const point = { step, metrics: (e.metrics ?? {}) as Record<string, number> };
        if (at >= 0) this.evals[at] = point;
        else this.evals.push(point);
        break;
      }
      case "run:end":
        {
          const summary = e.summary as { status?: string; stoppedEarly?: boolean } | undefined;
          this.ended = { status: summary?.status ?? (summary?.stoppedEarly ? "stopped early" : "completed") };
        }
        break;
      case "run:error":
        this.error = (e.error as { message?: string } | undefined)?.message ?? "unknown error";
        break;
    }
  }

  /** Wall time of the run over all its segments, in milliseconds (as report.json's wallTimeMs). */
  get wallTimeMs(): number {
    const current = this.segmentStart !== null && this.lastTime !== null ? this.lastTime - this.segmentStart : 0;
    return this.wallBefore + current;
  }

  /** The step-weighted mean of trainable parameters without the head (the paper's "#Params"). */
  get averageTrainable(): number | null {
    const t = this.series.trainable;
    return t.length ? t.reduce((a, b) => a + b, 0) / t.length : null;
  }

  get best(): { metric: string; value: number; step: number } | null {
    const metric = this.selectionMetric;
    if (!metric) return null;
    let best: { metric: string; value: number; step: number } | null = null;
    for (const p of this.evals) {
      const v = p.metrics[metric];
      if (typeof v === "number" && Number.isFinite(v) && (!best || v > best.value))
        best = { metric, value: v, step: p.step };
    }
    return best;
  }

  status(processAlive: boolean): RunStatus {
    if (this.error !== null) return "failed";
    if (this.ended) return "finished";
    return processAlive ? "running" : "interrupted";
  }

  private startSegment(e: Record<string, unknown>, time: number): void {
    if (this.segmentStart !== null && this.lastTime !== null) this.wallBefore += this.lastTime - this.segmentStart;
    this.segmentStart = Number.isFinite(time) ? time : null;
    this.segments++;
    this.runId = String(e.runId ?? this.runId);
    this.totalSteps = num(e.totalSteps);
    this.stepsPerEpoch = num(e.stepsPerEpoch);
    this.backend = typeof e.backend === "string" ? e.backend : this.backend;
    this.ended = null;
    this.error = null;
    const from = num(e.startStep);
    if (from >= 0) this.truncateFrom(from);
  }

  private addStep(e: Record<string, unknown>, time: number): void {
    const s = this.series;
    const step = num(e.step);
    // A step repeated (resume without run:start's truncation) replaces the earlier record.
    if (s.steps.length && step <= s.steps[s.steps.length - 1]!) this.truncateFrom(step);
    const n = s.steps.length;
    s.steps.push(step);
    s.loss.push(num(e.loss));
    s.gradNorm.push(num(e.gradNorm));
    s.trainable.push(num((e.trainable as { trainableWithoutHead?: number } | undefined)?.trainableWithoutHead));
    s.stepTime.push(
      this.stepStartTime !== null && Number.isFinite(time) ? (time - this.stepStartTime) / 1000 : Number.NaN,
    );
    for (const [group, lr] of Object.entries((e.learningRates ?? {}) as Record<string, number>)) {
      const list = s.lr.get(group) ?? new Array<number>(n).fill(Number.NaN);
      list.push(lr);
      s.lr.set(group, list);
    }
    for (const list of s.lr.values()) if (list.length === n) list.push(Number.NaN);
  }

  private truncateFrom(step: number): void {
    const s = this.series;
    let i = s.steps.length;
    while (i > 0 && s.steps[i - 1]! >= step) i--;
    for (const a of [s.steps, s.loss, s.gradNorm, s.trainable, s.stepTime, ...s.lr.values()])
      a.length = Math.min(a.length, i);
    for (let k = this.evals.length - 1; k >= 0; k--) if (this.evals[k]!.step > step) this.evals.splice(k, 1);
    for (const [name, at] of this.frozen) if (at >= step) this.frozen.delete(name);
  }
}
