import type { TrainableCounts } from "@aflora/core";
import type { EventRecord } from "./event-json.js";

/** "stopped early": ended by a plugin, maxSteps or a signal before the last step; "interrupted": by a signal in this process. */
export type RunStatus = "completed" | "stopped early" | "interrupted" | "diverged" | "failed" | "running";

export interface EvaluationPoint {
  step: number;
  /** Counted from 1, as the progress line shows it (events.jsonl counts from 0). */
  epoch: number;
  metrics: Record<string, number>;
}

export interface FrozenMatrix {
  name: string;
  step: number;
  reason: string;
}

/** An adapter parameter as listed in the run folder's parameters.json (written when the run starts). */
export interface ParameterInfo {
  name: string;
  group: string;
  size: number;
  trainable: boolean;
}

/** Everything report.json holds: built from events.jsonl, so a resumed run reports its whole history. */
export interface RunReport {
  runId: string;
  status: RunStatus;
  /** Steps dropped for a non-finite loss or gradient (training.nanPolicy "skip-step"). */
  skippedSteps: number;
  backend: string | null;
  /** Free-form facts from the resolved config (task, method, model, seed...). */
  facts: Record<string, string | number | null>;
  steps: { done: number; total: number; perEpoch: number };
  epochs: number;
  /** Number of times the run was started (1 + resumes). */
  segments: number;
  wallTimeMs: number;
  /** `epoch` counted from 1, as the progress line shows it. */
  loss: { step: number; epoch: number; loss: number }[];
  learningRates: { step: number; group: string; lr: number }[];
  evaluations: EvaluationPoint[];
  selectionMetric: string | null;
  final: EvaluationPoint | null;
  best: (EvaluationPoint & { metric: string; value: number }) | null;
  /** Trainable parameters without the classifier head, as the paper reports them. */
  trainable: {
    start: number | null;
    end: number | null;
    /** Mean over optimizer steps (the paper's step-weighted "#Params"). */
    stepAveraged: number | null;
    totalParameters: number | null;
    series: { step: number; trainable: number }[];
  };
  frozen: FrozenMatrix[];
  parameters: ParameterInfo[];
  flops: { total: number; perStep: number; note?: string } | null;
  error: string | null;
}

export interface RunReportExtras {
  facts?: Record<string, string | number | null>;
  parameters?: ParameterInfo[];
  /** FLOPs of one optimizer step at the start of training, per step index (frozen matrices cost less later). */
  flopsOfStep?: (step: number, trainableNames: ReadonlySet<string>) => number;
  flopsNote?: string;
  /** Set when the process knows the run stopped early on purpose (SIGINT). */
  interrupted?: boolean;
}

const num = (v: unknown): number => (typeof v === "number" ? v : Number.NaN);

/**
 * Folds the events of one run (in file order) into its report. Steps repeated after a
 * resume from an earlier checkpoint are counted once: the later record wins.
 */
export function buildRunReport(events: readonly EventRecord[], extras: RunReportExtras = {}): RunReport {
  let runId = "";
  let backend: string | null = null;
  let total = 0;
  let perEpoch = 0;
  let epochs = 0;
  let segments = 0;
  let wall = 0;
  let segStart: number | null = null;
  let segLast: number | null = null;
  let startTrainable: number | null = null;
  let totalParameters: number | null = null;
  let lastCounts: TrainableCounts | null = null;
  let status: RunStatus = "running";
  let skippedSteps = 0;
  let error: string | null = null;
  let selectionMetric: string | null = null;
  const loss = new Map<number, { step: number; epoch: number; loss: number }>();
  const lrs = new Map<number, Record<string, number>>();
  const trainableAt = new Map<number, number>();
  const evals = new Map<number, EvaluationPoint & { selection?: { metric: string; value: number } }>();
  const frozen = new Map<string, FrozenMatrix>();

  const closeSegment = () => {
    if (segStart !== null && segLast !== null) wall += segLast - segStart;
    segStart = segLast = null;
  };

  for (const e of events) {
    const time = num(e.time);
    if (e.type === "run:start") {
      closeSegment();
      segments++;
      segStart = segLast = time;
      runId = String(e.runId ?? runId);
      backend = String(e.backend ?? backend);
      total = num(e.totalSteps);
      perEpoch = num(e.stepsPerEpoch);
      epochs = num(e.epochs);
      status = "running";
      const counts = e.trainable as TrainableCounts | undefined;
      if (counts && startTrainable === null) {
        startTrainable = counts.trainableWithoutHead;
        totalParameters = counts.total;
      }
      if (counts) lastCounts = counts;
      // Anything recorded after the checkpoint this segment resumes from is superseded.
      const from = num(e.startStep);
      if (from >= 0) {
        for (const m of [loss, lrs, trainableAt]) for (const k of [...m.keys()]) if (k >= from) m.delete(k);
        for (const k of [...evals.keys()]) if (k > from) evals.delete(k);
        for (const [k, f] of frozen) if (f.step >= from) frozen.delete(k);
      }
      continue;
    }
    if (Number.isFinite(time)) segLast = time;
    switch (e.type) {
      case "step:end": {
        const step = num(e.step);
        loss.set(step, { step, epoch: num(e.epoch) + 1, loss: num(e.loss) });
        lrs.set(step, (e.learningRates as Record<string, number>) ?? {});
        const counts = e.trainable as TrainableCounts;
        trainableAt.set(step, counts.trainableWithoutHead);
        lastCounts = counts;
        break;
      }
      case "params:frozen": {
        for (const name of (e.names as string[]) ?? [])
          frozen.set(name, { name, step: num(e.step), reason: String(e.reason) });
        if (e.trainable) lastCounts = e.trainable as TrainableCounts;
        break;
      }
      case "eval:end": {
        const step = num(e.step);
        const sel = e.selection as { metric: string; value: number } | undefined;
        if (sel) selectionMetric = sel.metric;
        evals.set(step, {
          step,
          epoch: num(e.epoch) + 1,
          metrics: e.metrics as Record<string, number>,
          selection: sel,
        });
        break;
      }
      case "run:end": {
        const summary = e.summary as { stoppedEarly?: boolean; status?: RunStatus; skippedSteps?: number } | undefined;
        status = summary?.status ?? (summary?.stoppedEarly ? "stopped early" : "completed");
        if (typeof summary?.skippedSteps === "number") skippedSteps += summary.skippedSteps;
        break;
      }
      case "run:error": {
        const err = e.error as { message?: string } | undefined;
        error = err?.message ?? "unknown error";
        status = e.status === "diverged" ? "diverged" : "failed";
        break;
      }
    }
  }
  closeSegment();
  if ((status === "running" || status === "stopped early") && extras.interrupted) status = "interrupted";

  const steps = [...loss.keys()].sort((a, b) => a - b);
  const evaluations = [...evals.values()].sort((a, b) => a.step - b.step);
  const series = [...trainableAt.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([step, trainable]) => ({ step, trainable }));
  let best: RunReport["best"] = null;
  for (const ev of evaluations) {
    const metric = ev.selection?.metric ?? selectionMetric;
    const value = ev.selection?.value ?? (metric ? ev.metrics[metric] : undefined);
    if (metric && typeof value === "number" && Number.isFinite(value) && (!best || value > best.value)) {
      best = { step: ev.step, epoch: ev.epoch, metrics: ev.metrics, metric, value };
    }
  }
  const final = evaluations.length ? strip(evaluations[evaluations.length - 1]!) : null;

  let flops: RunReport["flops"] = null;
  if (extras.flopsOfStep && steps.length) {
    const trainableNow = new Set((extras.parameters ?? []).filter((p) => p.trainable).map((p) => p.name));
    const freezeSteps = [...frozen.values()].sort((a, b) => a.step - b.step);
    let fi = 0;
    let sum = 0;
    for (const s of steps) {
      // A matrix frozen at step t still received step t's update (authors' semantics), so it costs from t+1 on.
      while (fi < freezeSteps.length && freezeSteps[fi]!.step < s) trainableNow.delete(freezeSteps[fi++]!.name);
      sum += extras.flopsOfStep(s, trainableNow);
    }
    flops = { total: sum, perStep: sum / steps.length, note: extras.flopsNote };
  }

  return {
    runId,
    status,
    skippedSteps,
    backend,
    facts: extras.facts ?? {},
    steps: { done: steps.length, total, perEpoch },
    epochs,
    segments,
    wallTimeMs: wall,
    loss: steps.map((s) => loss.get(s)!),
    learningRates: steps.flatMap((s) =>
      Object.entries(lrs.get(s) ?? {}).map(([group, lr]) => ({ step: s, group, lr })),
    ),
    evaluations: evaluations.map(strip),
    selectionMetric,
    final,
    best,
    trainable: {
      start: startTrainable,
      end: lastCounts ? lastCounts.trainableWithoutHead : null,
      stepAveraged: series.length ? series.reduce((a, p) => a + p.trainable, 0) / series.length : null,
      totalParameters,
      series,
    },
    frozen: [...frozen.values()].sort((a, b) => a.step - b.step || a.name.localeCompare(b.name)),
    parameters: extras.parameters ?? [],
    flops,
    error,
  };
}

function strip(e: EvaluationPoint): EvaluationPoint {
  return { step: e.step, epoch: e.epoch, metrics: e.metrics };
}
