import { Queue } from "bullmq";
import { formatDuration, markdownTable } from "@aflora/metrics";
import { readJournal } from "../journal/journal-file.js";
import type { Progress, TrialState } from "../journal/journal.js";
import { QUEUE_NAME, connectRedis } from "../queue/connection.js";
import type { TrialJobData, TrialJobProgress } from "../queue/job.js";

export interface TrialStatus {
  id: string;
  label: string;
  state: TrialState;
  attempts: number;
  worker: string | null;
  step: number | null;
  totalSteps: number | null;
  loss: number | null;
  elapsedMs: number;
  /** Where the progress came from: the queue job (live) or sweep.json. */
  source: "queue" | "journal" | null;
}

export interface SweepStatus {
  name: string;
  dir: string;
  counts: Record<TrialState, number>;
  trials: TrialStatus[];
  text: string;
}

/**
 * `aflora sweep status <dir> [--queue URL]`: every trial's state, attempt, step and loss. In queue
 * mode the step and loss of running trials come live from their jobs' progress (the URL in
 * sweep.json has no password: give --queue when the server needs one).
 */
export async function sweepStatus(dir: string, o: { queue?: string } = {}): Promise<SweepStatus> {
  const j = readJournal(dir);
  const live = new Map<string, TrialJobProgress>();
  const url = o.queue ?? (j.queue && !j.queue.includes("***") ? j.queue : undefined);
  if (j.mode === "queue" && url) {
    const redis = await connectRedis(url);
    const queue = new Queue<TrialJobData>(QUEUE_NAME, { connection: redis });
    queue.on("error", () => {});
    try {
      for (const t of j.trials) {
        if (t.state === "done" || t.state === "failed") continue;
        const job = await queue.getJob(t.id);
        const p = job?.progress;
        if (p && typeof p === "object" && "step" in p) live.set(t.id, p as TrialJobProgress);
      }
    } finally {
      await queue.close();
      redis.disconnect();
    }
  }
  const trials = j.trials.map((t): TrialStatus => {
    const p: (Progress & { worker?: string }) | TrialJobProgress | undefined = live.get(t.id) ?? t.progress;
    const lastAttempt = t.attempts[t.attempts.length - 1];
    return {
      id: t.id,
      label: t.label,
      state: t.state,
      attempts: t.attempts.length,
      worker: live.get(t.id)?.worker ?? lastAttempt?.worker ?? null,
      step: p?.step ?? null,
      totalSteps: p?.totalSteps ?? null,
      loss: p?.loss ?? null,
      elapsedMs: t.elapsedMs,
      source: live.has(t.id) ? "queue" : t.progress ? "journal" : null,
    };
  });
  const counts = { pending: 0, queued: 0, running: 0, done: 0, failed: 0, interrupted: 0 } as Record<
    TrialState,
    number
  >;
  for (const t of trials) counts[t.state]++;
  const head =
    `${j.name} (${j.mode}${j.queue ? ` on ${j.queue}` : ""}): ${trials.length} trials, ` +
    Object.entries(counts)
      .filter(([, n]) => n)
      .map(([s, n]) => `${n} ${s}`)
      .join(", ");
  const table = markdownTable(
    ["Trial", "Choices", "State", "Attempts", "Step", "Loss", "Worker", "Time"],
    trials.map((t) => [
      t.id,
      t.label,
      t.state,
      String(t.attempts),
      t.step === null ? "–" : `${t.step}${t.totalSteps ? `/${t.totalSteps}` : ""}`,
      t.loss === null ? "–" : t.loss.toFixed(4),
      t.worker ?? "–",
      formatDuration(t.elapsedMs),
    ]),
  );
  return { name: j.name, dir: j.dir, counts, trials, text: `${head}\n\n${table}\n` };
}
