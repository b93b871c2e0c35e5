import type { Journal } from "../journal/journal.js";

/** A trial's job: where its sweep lives (on the filesystem every worker shares) and which trial. */
export interface TrialJobData {
  sweepDir: string;
  trialId: string;
}

/** A job's progress: the trial's latest step, loss and evaluation. */
export interface TrialJobProgress {
  step: number;
  totalSteps?: number;
  loss?: number;
  eval?: Record<string, number>;
  worker: string;
}

/** BullMQ job options for a journal's trials: jobId = trial id, retries with exponential backoff. */
export function jobOptions(j: Journal, trialId: string, backoffMs = 2000) {
  return {
    jobId: trialId,
    attempts: j.settings.retries + 1,
    backoff: { type: "exponential" as const, delay: backoffMs },
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
