import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { SweepError } from "../errors.js";
import { updateJournal } from "../journal/journal-file.js";
import type { Journal } from "../journal/journal.js";
import { QUEUE_NAME } from "./connection.js";
import { jobOptions, type TrialJobData } from "./job.js";

/**
 * Enqueues a journal's unfinished trials. jobId = trial id, so enqueuing twice never duplicates a
 * trial: a job still waiting or running is left alone. A job that ended (completed or failed) while
 * the journal still wants the trial, after a re-run or a move to a new folder, is replaced.
 */
export async function enqueueTrials(
  redis: Redis,
  j: Journal,
  o: { backoffMs?: number } = {},
): Promise<{ added: number; kept: number }> {
  const queue = new Queue<TrialJobData>(QUEUE_NAME, { connection: redis });
  queue.on("error", () => {});
  let added = 0;
  let kept = 0;
  try {
    for (const t of j.trials) {
      if (t.state === "done") continue;
      const existing = await queue.getJob(t.id);
      if (existing) {
        const state = await existing.getState();
        if (state === "completed" || state === "failed" || state === "unknown") await existing.remove();
        else if (existing.data.sweepDir !== j.dir) {
          throw new SweepError(
            `trial ${t.id} of sweep "${j.name}" is already queued for ${existing.data.sweepDir}; wait for it or use another sweep name`,
          );
        } else {
          kept++;
          continue;
        }
      }
      await queue.add(j.name, { sweepDir: j.dir, trialId: t.id }, jobOptions(j, t.id, o.backoffMs));
      added++;
    }
  } finally {
    await queue.close();
  }
  await updateJournal(j.dir, (jj) => {
    for (const t of jj.trials) if (t.state === "pending" || t.state === "failed") t.state = "queued";
  });
  return { added, kept };
}
