import type { FreezeSchedule, ScheduleDecision } from "@aflora/core";

/** Projection matrices stay trainable throughout (plain LoRA-style training of A and B). */
export class NeverSchedule implements FreezeSchedule {
  readonly name = "never";

  at(): ScheduleDecision {
    return { threshold: 1, mask: false };
  }
}
