import { hostname } from "node:os";
import type { TrialOutcome } from "../trial/run-trial.js";
import type { Progress } from "./journal.js";
import { updateTrial } from "./journal-file.js";

export const workerId = (): string => `${hostname()}:${process.pid}`;

/** A new attempt starts: the trial is running here. */
export function recordStart(
  dir: string,
  id: string,
  info: { worker?: string; runDir: string | null; resumedFromStep?: number; pid?: number },
) {
  return updateTrial(dir, id, (t) => {
    t.state = "running";
    if (info.runDir) t.runDir = info.runDir;
    delete t.error;
    // An attempt still open is one whose runner vanished without a word (a machine lost with its worker).
    const open = t.attempts[t.attempts.length - 1];
    if (open && open.endedAt === undefined) {
      open.endedAt = new Date().toISOString();
      open.outcome = "interrupted";
    }
    t.attempts.push({
      n: t.attempts.length + 1,
      worker: info.worker ?? workerId(),
      ...(info.pid !== undefined && info.pid > 0 ? { pid: info.pid } : {}),
      startedAt: new Date().toISOString(),
      ...(info.resumedFromStep !== undefined ? { resumedFromStep: info.resumedFromStep } : {}),
    });
  });
}

/** Live progress, and the run folder once known (one write: the journal is shared by every runner). */
export function recordProgress(dir: string, id: string, progress: Progress, runDir: string | null) {
  return updateTrial(dir, id, (t) => {
    t.progress = progress;
    if (runDir) t.runDir = runDir;
  });
}

/**
 * An attempt ended. `final`: no attempt follows (done, or out of retries), so a failure is the
 * trial's state; otherwise it waits for its next attempt as interrupted.
 */
export function recordOutcome(dir: string, id: string, o: TrialOutcome, final: boolean) {
  return updateTrial(dir, id, (t) => {
    if (o.runDir) t.runDir = o.runDir;
    const a = t.attempts[t.attempts.length - 1];
    if (o.alreadyDone) {
      t.state = "done";
      t.finishedAt ??= new Date().toISOString();
      return;
    }
    if (a && a.endedAt === undefined) {
      a.endedAt = new Date().toISOString();
      a.elapsedMs = o.elapsedMs;
      a.exitCode = o.exitCode;
      a.signal = o.signal;
      a.outcome = o.outcome;
    }
    t.elapsedMs = t.attempts.reduce((s, x) => s + (x.elapsedMs ?? 0), 0);
    if (o.outcome === "done") {
      t.state = "done";
      t.finishedAt = new Date().toISOString();
      delete t.error;
    } else {
      t.state = o.outcome === "failed" && final ? "failed" : "interrupted";
      t.error = { message: o.message, logTail: o.logTail };
    }
  });
}
