import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { readJournal, updateJournal } from "../journal/journal-file.js";
import { QUEUE_NAME } from "./connection.js";
import type { TrialJobData } from "./job.js";

/**
 * Waits until every trial of the sweep is done or failed, as the workers record them in sweep.json.
 * A job BullMQ gave up on without its worker recording it (the sandbox itself died) is recorded
 * failed here from the job's failure reason, so nothing waits forever and nothing is dropped.
 */
export async function waitForQueuedTrials(
  redis: Redis,
  dir: string,
  o: { signal?: AbortSignal; log?: (l: string) => void; pollMs?: number } = {},
): Promise<void> {
  const queue = new Queue<TrialJobData>(QUEUE_NAME, { connection: redis });
  queue.on("error", () => {});
  let last = "";
  try {
    for (;;) {
      const j = readJournal(dir);
      const open = j.trials.filter((t) => t.state !== "done" && t.state !== "failed");
      const summary = ["done", "failed", "running", "queued", "interrupted"]
        .map((s) => `${j.trials.filter((t) => t.state === s).length} ${s}`)
        .join(", ");
      if (summary !== last) o.log?.(`${j.name}: ${summary}`);
      last = summary;
      if (!open.length || o.signal?.aborted) return;
      for (const t of open) {
        const job = await queue.getJob(t.id);
        if (!job || (await job.getState()) !== "failed") continue;
        await updateJournal(dir, (jj) => {
          const r = jj.trials.find((x) => x.id === t.id);
          if (!r || r.state === "done" || r.state === "failed") return;
          r.state = "failed";
          r.error = {
            message: job.failedReason.split("\n")[0] ?? "failed",
            logTail: job.failedReason.split("\n").slice(1),
          };
        });
      }
      await new Promise((res) => setTimeout(res, o.pollMs ?? 1000));
    }
  } finally {
    await queue.close();
  }
}
