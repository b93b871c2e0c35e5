/**
 * Number of warmup steps for a warmup ratio, as Hugging Face's `TrainingArguments.get_warmup_steps`:
 * `ceil(ratio · totalSteps)`.
 */
export function warmupStepsFor(totalSteps: number, warmupRatio: number): number {
  if (!(warmupRatio >= 0 && warmupRatio <= 1))
    throw new Error(`warmupRatio: expected a number in [0, 1], got ${warmupRatio}`);
  if (!Number.isInteger(totalSteps) || totalSteps < 0)
    throw new Error(`totalSteps: expected a non-negative integer, got ${totalSteps}`);
  return Math.ceil(totalSteps * warmupRatio);
}

/** Multiplier of each group's base learning rate at a 0-based optimizer step. */
export type LrSchedule = (step: number) => number;

/**
 * Linear warmup from 0 then linear decay to 0, exactly `get_linear_schedule_with_warmup`
 * of Hugging Face transformers: step `s` (0-based, the number of updates already made) uses
 * `s / warmup` while `s < warmup`, then `max(0, (total − s) / max(1, total − warmup))`.
 * So with warmup the first update has learning rate 0, as in the authors' runs.
 */
export function linearScheduleWithWarmup(warmupSteps: number, totalSteps: number): LrSchedule {
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0)
    throw new Error(`warmupSteps: expected a non-negative integer, got ${warmupSteps}`);
  return (step: number) => {
    if (step < warmupSteps) return step / Math.max(1, warmupSteps);
    return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
  };
}

/** A constant multiplier of 1 (no schedule). */
export const constantSchedule: LrSchedule = () => 1;
