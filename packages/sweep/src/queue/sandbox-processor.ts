import { UnrecoverableError, type SandboxedJob } from "bullmq";
import { readJournal } from "../journal/journal-file.js";
import { attemptTrial } from "../trial/attempt-loop.js";
import type { TrialJobData, TrialJobProgress } from "./job.js";

/**
 * A queue worker's job processor, run by BullMQ in a child process of the worker (a sandboxed
 * processor), so a trial that crashes cannot take the worker down. The trial itself is one more
 * child process (aflora train), which dies with this one: when the worker is killed (kill -9) the
 * IPC channel closes and the trial is killed too, so the job's next worker can resume it from its
 * last checkpoint without two processes writing one run folder.
 */
export default async function processTrial(job: SandboxedJob<TrialJobData>, _token?: string, cancel?: AbortSignal) {
  const cliBin = process.env.AFLORA_SWEEP_CLI_BIN;
  if (!cliBin) throw new UnrecoverableError("AFLORA_SWEEP_CLI_BIN is not set (start workers with runWorker)");
  const worker = process.env.AFLORA_SWEEP_WORKER_ID ?? `pid ${process.pid}`;
  const j = readJournal(job.data.sweepDir);
  const t = j.trials.find((x) => x.id === job.data.trialId);
  if (!t) throw new UnrecoverableError(`${job.data.sweepDir}/sweep.json has no trial ${job.data.trialId}`);
  const graceful = new AbortController();
  const hard = new AbortController();
  const onDisconnect = () => hard.abort();
  const onTerm = () => graceful.abort();
  process.once("disconnect", onDisconnect);
  // `on`, not `once`: proper-lockfile's signal-exit re-raises a signal nobody else listens to.
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onTerm);
  cancel?.addEventListener("abort", onTerm, { once: true });
  const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  try {
    const out = await attemptTrial(j, t, {
      cliBin,
      final,
      worker,
      signal: graceful.signal,
      hardStop: hard.signal,
      onProgress: (p) => {
        const progress: TrialJobProgress = { step: p.step, worker, ...pick(p) };
        job.updateProgress(progress).catch(() => {});
      },
    });
    if (out.outcome === "done")
      return { runDir: out.runDir, elapsedMs: out.elapsedMs, alreadyDone: Boolean(out.alreadyDone) };
    const message = `${t.label}: ${out.message}\n${out.logTail.slice(-15).join("\n")}`;
    if (out.outcome === "failed" && !out.retryable) throw new UnrecoverableError(message);
    throw new Error(message);
  } finally {
    // The worker is gone: nobody would read this process's result.
    if (hard.signal.aborted) process.exit(0);
    process.off("disconnect", onDisconnect);
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onTerm);
  }
}

function pick(p: { totalSteps?: number; loss?: number; eval?: Record<string, number> }) {
  return {
    ...(p.totalSteps !== undefined ? { totalSteps: p.totalSteps } : {}),
    ...(p.loss !== undefined ? { loss: p.loss } : {}),
    ...(p.eval ? { eval: p.eval } : {}),
  };
}
