import type { FreezeSchedule, ScheduleContext, ScheduleDecision } from "@aflora/core";
import { cube, pyFloorDiv } from "../exact-math.js";

export interface PolynomialScheduleOptions {
  /** Remaining ratio during the initial warm-up (the authors: 1). */
  initialThreshold: number;
  /** Remaining ratio of the final phase (the authors: 0). */
  finalThreshold: number;
  /** Initial warm-up in epochs t_i (the authors: 1). */
  initialWarmupEpochs: number;
  /** Final phase in epochs t_f; default 70 % of the run's epochs (the authors: 14 of 20, 7 of 10). */
  finalWarmupEpochs?: number;
  /** Decisions every ΔT steps in the main phase (the authors: 10). */
  deltaT: number;
}

export const CUBIC_DEFAULTS: PolynomialScheduleOptions = {
  initialThreshold: 1,
  finalThreshold: 0,
  initialWarmupEpochs: 1,
  deltaT: 10,
};

/**
 * The authors' "remaining ratio" schedule (`schedule_threshold_comb`, FORMAT.md §2.3) with
 * exponent 3 (`cubic`) or 1 (`linear`). Warm-ups are in epochs of W = T // epochs steps;
 * the threshold is the fraction of score elements still counted as important. Float64 in the
 * reference's order, with a correctly rounded cube, so thresholds match bit for bit.
 */
export class PolynomialSchedule implements FreezeSchedule {
  constructor(
    readonly name: string,
    private readonly exponent: 1 | 3,
    readonly options: PolynomialScheduleOptions,
  ) {}

  get deltaT(): number {
    return this.options.deltaT;
  }

  at(step: number, ctx: ScheduleContext): ScheduleDecision {
    const { initialThreshold: it, finalThreshold: ft, initialWarmupEpochs: iw } = this.options;
    const fw = this.options.finalWarmupEpochs ?? (7 * ctx.epochs) / 10;
    const T = ctx.totalSteps;
    const W = pyFloorDiv(T, ctx.epochs);
    if (step <= iw * W) return { threshold: it, mask: false };
    if (step > T - fw * W) return { threshold: ft, mask: true };
    const mul = 1 - (step - iw * W) / (T - (fw + iw) * W);
    const threshold = ft + (it - ft) * (this.exponent === 3 ? cube(mul) : mul);
    return { threshold, mask: step % this.options.deltaT === 0 };
  }
}
