import type { FreezeSchedule, ScheduleContext, ScheduleDecision } from "@aflora/core";

/**
 * Freezes every projection matrix at the end of an epoch, as the authors' `--freeze_by_epoch E`
 * (`AdjustTrainableParametersCallback`): E ≥ 1 counts epochs, E < 1 is a fraction of the run's
 * epochs; the freeze happens at the end of the first epoch whose count reaches that value
 * (state.epoch ≥ E·epochs, compared in float64 like the reference), i.e. after its last step.
 */
export class AtEpochSchedule implements FreezeSchedule {
  readonly name = "at-epoch";

  constructor(readonly epoch: number) {}

  /** The optimizer step after whose update the matrices freeze. */
  freezeStep(ctx: ScheduleContext): number {
    const after = this.epoch < 1 ? this.epoch * ctx.epochs : this.epoch;
    const epochCount = Math.max(1, Math.ceil(after));
    return epochCount * ctx.stepsPerEpoch - 1;
  }

  at(step: number, ctx: ScheduleContext): ScheduleDecision {
    const done = step >= this.freezeStep(ctx);
    return { threshold: done ? 0 : 1, mask: false, freezeAll: done };
  }
}
