import type { Journal, Progress, TrialRecord } from "../journal/journal.js";
import { recordOutcome, recordProgress, recordStart } from "../journal/record.js";
import { runTrial, type TrialContext, type TrialOutcome } from "./run-trial.js";
import { taskOf } from "./task-of.js";

export interface AttemptOptions {
  cliBin: string;
  signal?: AbortSignal;
  hardStop?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Last attempt allowed: a failure becomes the trial's final state. */
  final: boolean;
  worker?: string;
  /** Extra progress sink (a queue job's updateProgress). */
  onProgress?: TrialContext["onProgress"];
}

/** One attempt at a trial, with every transition written to sweep.json in order. */
export async function attemptTrial(j: Journal, t: TrialRecord, o: AttemptOptions): Promise<TrialOutcome> {
  let chain: Promise<unknown> = Promise.resolve();
  let chainError: unknown = null;
  const write = (f: () => Promise<unknown>) => {
    chain = chain.then(f).catch((e) => (chainError ??= e));
  };
  let lastWrite = 0;
  let unwritten: Progress | null = null;
  let runDir: string | null = null;
  const result = await runTrial(taskOf(t), {
    cliBin: o.cliBin,
    sweepDir: j.dir,
    cwd: j.cwd,
    plots: j.settings.plots,
    threadsPerTrial: j.settings.threadsPerTrial,
    ...(o.env ? { env: o.env } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.hardStop ? { hardStop: o.hardStop } : {}),
    onStart: (info) => write(() => recordStart(j.dir, t.id, { ...info, ...(o.worker ? { worker: o.worker } : {}) })),
    onRunDir: (d) => void (runDir = d),
    onProgress: (p) => {
      o.onProgress?.(p);
      // The journal is shared by every runner; one write a second per trial is plenty.
      unwritten = p;
      if (Date.now() - lastWrite < 1000) return;
      lastWrite = Date.now();
      unwritten = null;
      write(() => recordProgress(j.dir, t.id, p, runDir));
    },
  });
  const last = unwritten as Progress | null;
  if (last) write(() => recordProgress(j.dir, t.id, last, runDir));
  await chain;
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what a journal write threw, as it was
  if (chainError) throw chainError;
  await recordOutcome(j.dir, t.id, result, result.outcome === "done" || o.final || !result.retryable);
  return result;
}
