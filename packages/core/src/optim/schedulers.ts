import { linearScheduleWithWarmup, type LrSchedule } from "./lr-schedule.js";

/** Hugging Face `TrainingArguments.lr_scheduler_type` values aflora implements. */
export const LR_SCHEDULER_TYPES = ["linear", "cosine", "constant", "constant_with_warmup", "polynomial"] as const;
export type LrSchedulerType = (typeof LR_SCHEDULER_TYPES)[number];

/** Hugging Face `lr_scheduler_kwargs` of the schedules that take any. */
export interface LrSchedulerKwargs {
  /** cosine: number of cosine waves over the decay (default 0.5: from the peak down to 0). */
  numCycles?: number;
  /** polynomial: the final learning rate (default 1e-7) and the power (default 1). */
  lrEnd?: number;
  power?: number;
}

export interface SchedulerSpec {
  warmupSteps: number;
  totalSteps: number;
  /** The optimizer's base lr: polynomial decays towards `lrEnd` relative to it (transformers' `lr_init`). */
  baseLr: number;
  kwargs?: LrSchedulerKwargs;
}

/**
 * The multiplier schedule of transformers' `get_scheduler(name, …)`, step `s` 0-based (updates
 * already made). Every warmup rises as `s / max(1, warmup)`; after it:
 * - linear: `max(0, (T − s) / max(1, T − W))`;
 * - cosine: `max(0, ½(1 + cos(π · 2·cycles · p)))` with `p = (s − W) / max(1, T − W)`;
 * - constant: 1 (no warmup, as `get_constant_schedule`); constant_with_warmup: 1;
 * - polynomial: `((lr0 − lrEnd)(1 − p)^power + lrEnd) / lr0`, and `lrEnd / lr0` after T.
 */
export function getScheduler(type: LrSchedulerType, o: SchedulerSpec): LrSchedule {
  const { warmupSteps: W, totalSteps: T } = o;
  if (!Number.isInteger(W) || W < 0) throw new Error(`warmupSteps: expected a non-negative integer, got ${W}`);
  if (!Number.isInteger(T) || T < 0) throw new Error(`totalSteps: expected a non-negative integer, got ${T}`);
  const warm = (s: number) => s / Math.max(1, W);
  switch (type) {
    case "linear":
      return linearScheduleWithWarmup(W, T);
    case "constant":
      return () => 1;
    case "constant_with_warmup":
      return (s) => (s < W ? warm(s) : 1);
    case "cosine": {
      const cycles = o.kwargs?.numCycles ?? 0.5;
      if (!(cycles > 0)) throw new Error(`lrSchedulerKwargs.numCycles: expected a positive number, got ${cycles}`);
      return (s) => {
        if (s < W) return warm(s);
        const progress = (s - W) / Math.max(1, T - W);
        return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * cycles * 2 * progress)));
      };
    }
    case "polynomial": {
      const lrEnd = o.kwargs?.lrEnd ?? 1e-7;
      const power = o.kwargs?.power ?? 1;
      const lr0 = o.baseLr;
      if (!(lr0 > 0)) throw new Error(`polynomial schedule: the base lr must be positive, got ${lr0}`);
      if (!(lrEnd >= 0 && lrEnd <= lr0)) {
        throw new Error(`lrSchedulerKwargs.lrEnd (${lrEnd}) must be in [0, lr ${lr0}]`);
      }
      if (!(power > 0)) throw new Error(`lrSchedulerKwargs.power: expected a positive number, got ${power}`);
      return (s) => {
        if (s < W) return warm(s);
        if (s > T) return lrEnd / lr0;
        const remaining = 1 - (s - W) / (T - W);
        return ((lr0 - lrEnd) * Math.pow(remaining, power) + lrEnd) / lr0;
      };
    }
    default:
      throw new Error(`lrSchedulerType: expected one of ${LR_SCHEDULER_TYPES.join(", ")}, got ${JSON.stringify(type)}`);
  }
}
