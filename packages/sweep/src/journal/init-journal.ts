import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import writeFileAtomic from "write-file-atomic";
import type { SweepPlan } from "../plan/plan-sweep.js";
import { journalPath, readJournal, updateJournal, writeJournal } from "./journal-file.js";
import { labelOf, type Journal, type TrialRecord } from "./journal.js";

/**
 * Creates sweep.json and each trial's config file, or brings an existing journal up to date with
 * the plan: known trials keep their records (a finished one is never run again), new ones are
 * added as pending. Trials a changed sweep file no longer lists stay in the journal.
 */
export async function initJournal(plan: SweepPlan, mode: Journal["mode"], queue?: string): Promise<Journal> {
  mkdirSync(join(plan.dir, "trials"), { recursive: true });
  for (const t of plan.trials) {
    writeFileAtomic.sync(join(plan.dir, "trials", `${t.id}.json`), JSON.stringify(t.config, null, 2) + "\n");
  }
  const fresh = (t: SweepPlan["trials"][number]): TrialRecord => ({
    id: t.id,
    kind: "train",
    label: labelOf(t.overrides),
    overrides: t.overrides,
    configFile: join(plan.dir, "trials", `${t.id}.json`),
    state: "pending",
    attempts: [],
    runDir: null,
    elapsedMs: 0,
  });
  const now = new Date().toISOString();
  if (!existsSync(journalPath(plan.dir))) {
    writeJournal({
      version: 1,
      name: plan.name,
      ...(plan.description ? { description: plan.description } : {}),
      file: plan.file,
      dir: plan.dir,
      cwd: plan.cwd,
      mode,
      ...(queue ? { queue } : {}),
      settings: { ...plan.settings },
      createdAt: now,
      updatedAt: now,
      trials: plan.trials.map(fresh),
    });
  }
  return updateJournal(plan.dir, (j) => {
    j.mode = mode;
    if (queue) j.queue = queue;
    else delete j.queue;
    j.settings = { ...plan.settings };
    for (const t of plan.trials) if (!j.trials.some((r) => r.id === t.id)) j.trials.push(fresh(t));
    return structuredClone(j);
  });
}

/** Same, for a list of command lines (repro suites) run as trials. */
export async function initCommandJournal(
  base: Omit<Journal, "version" | "trials" | "createdAt" | "updatedAt">,
  commands: { id: string; label: string; args: string[] }[],
): Promise<Journal> {
  mkdirSync(base.dir, { recursive: true });
  if (!existsSync(journalPath(base.dir))) {
    const now = new Date().toISOString();
    writeJournal({ version: 1, ...base, createdAt: now, updatedAt: now, trials: [] });
  }
  return updateJournal(base.dir, (j) => {
    j.mode = base.mode;
    if (base.queue) j.queue = base.queue;
    else delete j.queue;
    for (const c of commands) {
      if (j.trials.some((r) => r.id === c.id)) continue;
      j.trials.push({
        id: c.id,
        kind: "command",
        label: c.label,
        args: c.args,
        state: "pending",
        attempts: [],
        runDir: null,
        elapsedMs: 0,
      });
    }
    return structuredClone(j);
  });
}

export { readJournal };
