import type { FreezeSchedule, ScheduleContext, ScheduleDecision } from "@aflora/core";

export interface QuadraticFractionScheduleOptions {
  /** Warm-up before the ramp, as a fraction of the total optimizer steps T (authors: 0.3). */
  initialWarmup: number;
  /** Final phase, as a fraction of T (authors: 0.3): from T − fw·T on, decide every step. */
  finalWarmup: number;
  /** Remaining ratio reported during the warm-up, where nothing is decided (authors: 1). */
  initialThreshold: number;
  /** Remaining ratio of the final phase (authors: 0). The ramp ignores both thresholds. */
  finalThreshold: number;
  /** Decisions every ΔT steps inside the ramp (authors: 10; the scorer's window). */
  deltaT: number;
}

/** `ipt_all_tasks_config['commonsense']` of the authors' gsm8k/trainer.py. */
export const QUADRATIC_FRACTION_DEFAULTS: QuadraticFractionScheduleOptions = {
  initialWarmup: 0.3,
  finalWarmup: 0.3,
  initialThreshold: 1,
  finalThreshold: 0,
  deltaT: 10,
};

export interface QuadraticFractionDecision extends ScheduleDecision {
  /**
   * The step fell inside a ramp of length 0 (T − (fw + iw)·T == 0, reachable only through
   * float rounding), where the reference divides by zero. aflora treats the step as the
   * warm-up's last step, which it is in exact arithmetic (iw·T == T − fw·T).
   */
  zeroLengthRamp?: true;
}

/**
 * The decoder variant's remaining-ratio schedule (the authors' gsm8k `schedule_threshold_comb`,
 * FORMAT.md §2.3): warm-ups are fractions of T, the ramp is 1 − x² whatever the initial and
 * final thresholds are, decisions every ΔT steps in the ramp and every step after it.
 * Float64 arithmetic in the reference's order.
 */
export class QuadraticFractionSchedule implements FreezeSchedule {
  readonly name = "quadratic-fraction";
  readonly deltaT: number;

  constructor(readonly options: QuadraticFractionScheduleOptions = QUADRATIC_FRACTION_DEFAULTS) {
    if (!Number.isInteger(options.deltaT) || options.deltaT < 1)
      throw new Error(`deltaT: expected a positive integer, got ${options.deltaT}`);
    this.deltaT = options.deltaT;
  }

  at(step: number, ctx: ScheduleContext): QuadraticFractionDecision {
    const { initialWarmup: iw, finalWarmup: fw, initialThreshold, finalThreshold } = this.options;
    const T = ctx.totalSteps;
    if (step <= iw * T) return { threshold: initialThreshold, mask: false };
    if (step > T - fw * T) return { threshold: finalThreshold, mask: true };
    const denominator = T - (fw + iw) * T;
    if (denominator === 0) return { threshold: initialThreshold, mask: false, zeroLengthRamp: true };
    const mul = (step - iw * T) / denominator;
    return { threshold: 1 - mul * mul, mask: step % this.deltaT === 0 };
  }
}
