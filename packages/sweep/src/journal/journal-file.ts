import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import writeFileAtomic from "write-file-atomic";
import { SweepError } from "../errors.js";
import type { Journal, TrialRecord } from "./journal.js";

export const JOURNAL = "sweep.json";

export function journalPath(dir: string): string {
  return join(dir, JOURNAL);
}

export function readJournal(dir: string): Journal {
  const path = journalPath(dir);
  if (!existsSync(path)) throw new SweepError(`${dir}: not a sweep folder (no ${JOURNAL})`);
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Journal;
  } catch (e) {
    throw new SweepError(`${path}: ${(e as Error).message}`);
  }
}

export function writeJournal(j: Journal): void {
  mkdirSync(j.dir, { recursive: true });
  j.updatedAt = new Date().toISOString();
  writeFileAtomic.sync(journalPath(j.dir), JSON.stringify(j, null, 2) + "\n");
}

/**
 * Read-modify-write of sweep.json under an inter-process lock. Queue workers on several machines
 * share the file, so the lock is proper-lockfile's (an mkdir lock with stale detection, which
 * works on network filesystems), and the write itself is atomic (temp file + rename).
 */
export async function updateJournal<T>(dir: string, change: (j: Journal) => T): Promise<T> {
  const release = await lockfile.lock(dir, {
    lockfilePath: join(dir, `${JOURNAL}.lock`),
    stale: 15_000,
    retries: { retries: 200, minTimeout: 10, maxTimeout: 250, factor: 1.5 },
  });
  try {
    const j = readJournal(dir);
    const out = change(j);
    writeJournal(j);
    return out;
  } finally {
    await release();
  }
}

/** Applies `change` to one trial's record. */
export function updateTrial(dir: string, id: string, change: (t: TrialRecord, j: Journal) => void): Promise<void> {
  return updateJournal(dir, (j) => {
    const t = j.trials.find((x) => x.id === id);
    if (!t) throw new SweepError(`${journalPath(dir)}: no trial ${id}`);
    change(t, j);
  });
}
