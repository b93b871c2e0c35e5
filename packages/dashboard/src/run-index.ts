import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { RunFolder, type RunSummary } from "./run-folder.js";
import { resolveUnder } from "./safe-path.js";

/** Folders inside a run that never hold another run. */
const NOT_RUNS = new Set(["checkpoints", "adapter", "plots", "runs", "node_modules"]);
const MAX_DEPTH = 5;

export interface SweepSummary {
  id: string;
  name: string;
  trials: number;
  done: number;
  failed: number;
  running: number;
  updatedAt: string | null;
}

export interface SweepTrialRow {
  id: string;
  label: string;
  state: string;
  attempts: number;
  elapsedMs: number;
  step: number | null;
  totalSteps: number | null;
  eval: Record<string, number> | null;
  error: string | null;
  /** The trial's run id on this dashboard, when its run folder is under the runs folder. */
  runId: string | null;
}

interface JournalLike {
  name?: string;
  updatedAt?: string;
  trials?: {
    id: string;
    label?: string;
    state?: string;
    attempts?: unknown[];
    elapsedMs?: number;
    runDir?: string | null;
    progress?: { step?: number; totalSteps?: number; eval?: Record<string, number> };
    error?: { message?: string };
  }[];
}

/**
 * Every run (a folder with events.jsonl) and sweep (a folder with sweep.json) under the runs
 * folder, found again on each listing; symlinked folders are not followed. Run folders are
 * kept between calls so their events.jsonl is only ever read forward.
 */
export class RunIndex {
  private readonly runs = new Map<string, RunFolder>();
  private stopped = false;

  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  scan(): { runs: string[]; sweeps: string[] } {
    const runs: string[] = [];
    const sweeps: string[] = [];
    const walk = (dir: string, depth: number) => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      const names = new Set(entries.map((e) => e.name));
      const id = relative(this.root, dir).split(sep).join("/");
      if (id && names.has("events.jsonl")) {
        runs.push(id);
        return;
      }
      if (id && names.has("sweep.json")) sweeps.push(id);
      if (depth >= MAX_DEPTH) return;
      for (const e of entries) {
        if (e.isDirectory() && !e.name.startsWith(".") && !NOT_RUNS.has(e.name)) walk(join(dir, e.name), depth + 1);
      }
    };
    walk(resolve(this.root), 0);
    return { runs: runs.sort(), sweeps: sweeps.sort() };
  }

  /** The run folder with this id (its path under the root), read up to date; null if there is none. */
  run(id: string): RunFolder | null {
    const folder = this.folder(id);
    folder?.refresh();
    return folder;
  }

  private folder(id: string): RunFolder | null {
    const dir = resolveUnder(this.root, id);
    if (!dir || !existsSync(join(dir, "events.jsonl"))) return null;
    let folder = this.runs.get(id);
    if (!folder) {
      folder = new RunFolder(id, dir);
      this.runs.set(id, folder);
    }
    return folder;
  }

  /**
   * Every run's line and every sweep's. A finished run's comes from its report.json, a live run's
   * from its events.jsonl (read forward from where the last call stopped); the work yields to
   * other requests between runs, so live views keep streaming while a large folder is first read.
   */
  async list(): Promise<{ runs: RunSummary[]; sweeps: SweepSummary[] }> {
    const { runs, sweeps } = this.scan();
    const summaries: RunSummary[] = [];
    for (const id of runs) {
      if (this.stopped) break;
      const folder = this.folder(id);
      if (!folder) continue;
      summaries.push(folder.endedSummary() ?? (folder.refresh(), folder.summary()));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return {
      runs: summaries,
      sweeps: sweeps.flatMap((id) => {
        const j = this.journal(id);
        if (!j) return [];
        const trials = j.trials ?? [];
        const count = (s: string) => trials.filter((t) => t.state === s).length;
        return [
          {
            id,
            name: j.name ?? id,
            trials: trials.length,
            done: count("done"),
            failed: count("failed"),
            running: count("running"),
            updatedAt: j.updatedAt ?? null,
          },
        ];
      }),
    };
  }

  /** Ends a listing in progress (the server is closing). */
  stop(): void {
    this.stopped = true;
  }

  /** A sweep's journal as a table, each trial linked to its run when the run is under the runs folder. */
  sweep(id: string): { id: string; name: string; trials: SweepTrialRow[] } | null {
    const j = this.journal(id);
    if (!j) return null;
    const sweepDir = resolveUnder(this.root, id)!;
    const trials = (j.trials ?? []).map((t): SweepTrialRow => {
      let runId: string | null = null;
      if (t.runDir) {
        const rel = relative(this.root, resolve(sweepDir, t.runDir)).split(sep).join("/");
        if (!rel.startsWith("..") && this.run(rel)) runId = rel;
      }
      return {
        id: t.id,
        label: t.label ?? t.id,
        state: t.state ?? "pending",
        attempts: t.attempts?.length ?? 0,
        elapsedMs: t.elapsedMs ?? 0,
        step: t.progress?.step ?? null,
        totalSteps: t.progress?.totalSteps ?? null,
        eval: t.progress?.eval ?? null,
        error: t.error?.message ?? null,
        runId,
      };
    });
    return { id, name: j.name ?? id, trials };
  }

  private journal(id: string): JournalLike | null {
    const dir = resolveUnder(this.root, id);
    if (!dir) return null;
    try {
      return JSON.parse(readFileSync(join(dir, "sweep.json"), "utf8")) as JournalLike;
    } catch {
      return null;
    }
  }
}
