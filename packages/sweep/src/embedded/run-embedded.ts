import { availableParallelism } from "node:os";
import pLimit from "p-limit";
import type { Journal, TrialRecord } from "../journal/journal.js";
import { attemptTrial } from "../trial/attempt-loop.js";

export interface EmbeddedOptions {
  cliBin: string;
  parallel?: number;
  /** No new trial starts once aborted (running ones are left to finish or checkpoint). */
  stopLaunching?: AbortSignal;
  /** Aborting also asks running trials to checkpoint and stop (SIGTERM). */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** Default parallelism: the machine's cores divided by the threads one trial uses (at least 1). */
export function defaultParallel(threadsPerTrial: number): number {
  return Math.max(1, Math.floor(availableParallelism() / Math.max(1, threadsPerTrial)));
}

/**
 * Runs a sweep's unfinished trials on this machine, `parallel` child processes at a time. Each
 * trial gets `retries` more attempts after a crash; each new attempt resumes from the last
 * checkpoint. One trial failing never stops the others.
 */
export async function runEmbedded(j: Journal, o: EmbeddedOptions): Promise<void> {
  const parallel = o.parallel ?? j.settings.parallel ?? defaultParallel(j.settings.threadsPerTrial);
  const todo = j.trials.filter((t) => t.state !== "done");
  o.log?.(
    `${j.name}: ${j.trials.length - todo.length} of ${j.trials.length} trials already done; running ${todo.length}, ${parallel} at a time`,
  );
  const limit = pLimit(parallel);
  await Promise.all(todo.map((t) => limit(() => runWithRetries(j, t, o))));
}

async function runWithRetries(j: Journal, t: TrialRecord, o: EmbeddedOptions): Promise<void> {
  for (let attempt = 0; attempt <= j.settings.retries; attempt++) {
    if (o.signal?.aborted || o.stopLaunching?.aborted) return;
    const final = attempt === j.settings.retries;
    const out = await attemptTrial(j, t, {
      cliBin: o.cliBin,
      final,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.env ? { env: o.env } : {}),
    });
    o.log?.(`${t.id} ${t.label}: ${out.outcome}${out.outcome === "done" ? "" : ` (${out.message})`}`);
    if (out.outcome !== "failed" || !out.retryable) return;
  }
}
