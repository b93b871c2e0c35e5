import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/** `<sweep dir>/<timestamp>-<trial id>-<6 hex>`: the CLI's run folder name for `--name <trial id>`. */
export function trialRunFolders(sweepDir: string, id: string): string[] {
  if (!existsSync(sweepDir)) return [];
  const pattern = new RegExp(`-${id}-[0-9a-f]{6}$`);
  return readdirSync(sweepDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && pattern.test(e.name) && existsSync(join(sweepDir, e.name, "config.json")))
    .map((e) => join(sweepDir, e.name))
    .sort();
}

/** The step of a run folder's latest checkpoint, or null without one. */
export function latestCheckpointStep(runDir: string): number | null {
  const latest = join(runDir, "checkpoints", "latest");
  if (!existsSync(latest)) return null;
  const m = /checkpoint-(\d+)/.exec(readFileSync(latest, "utf8"));
  return m ? Number(m[1]) : null;
}

export interface FinishedRun {
  status: string;
}

/** A run folder whose training ran to its end (report.json, not interrupted, no error). */
export function finishedRun(runDir: string): FinishedRun | null {
  const path = join(runDir, "report.json");
  if (!existsSync(path)) return null;
  try {
    const r = JSON.parse(readFileSync(path, "utf8")) as { status?: string; error?: unknown };
    if (r.error || r.status === "interrupted") return null;
    return { status: r.status ?? "done" };
  } catch {
    return null;
  }
}

/** The pid in a run folder's .lock when that process is alive on this machine. */
export function liveLockHolder(runDir: string): number | null {
  const lock = join(runDir, ".lock");
  if (!existsSync(lock)) return null;
  const pid = Number(readFileSync(lock, "utf8"));
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM" ? pid : null;
  }
}

export type Continuation =
  { kind: "finished"; runDir: string } | { kind: "resume"; runDir: string; step: number } | { kind: "fresh" };

/**
 * How a trial goes on from what its earlier attempts left: a finished run folder is kept as is;
 * one with a checkpoint is resumed from it; folders that died before their first checkpoint hold
 * nothing to keep and are removed, so each trial ends with exactly one run folder.
 */
export function continuation(sweepDir: string, id: string): Continuation {
  const folders = trialRunFolders(sweepDir, id);
  const done = folders.find((d) => finishedRun(d));
  if (done) return { kind: "finished", runDir: done };
  const withCheckpoint = folders
    .map((d) => ({ d, step: latestCheckpointStep(d) }))
    .filter((x): x is { d: string; step: number } => x.step !== null)
    .sort((a, b) => b.step - a.step)[0];
  for (const d of folders) {
    if (d !== withCheckpoint?.d && liveLockHolder(d) === null) rmSync(d, { recursive: true, force: true });
  }
  return withCheckpoint ? { kind: "resume", runDir: withCheckpoint.d, step: withCheckpoint.step } : { kind: "fresh" };
}
