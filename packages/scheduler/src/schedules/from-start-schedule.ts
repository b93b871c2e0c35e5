import type { FreezeSchedule, ScheduleDecision } from "@aflora/core";

/** Projection matrices are frozen before the first step (ELoRA-like: only the vectors train). */
export class FromStartSchedule implements FreezeSchedule {
  readonly name = "from-start";
  readonly freezesAtStart = true;

  at(): ScheduleDecision {
    return { threshold: 0, mask: false, freezeAll: true };
  }
}
