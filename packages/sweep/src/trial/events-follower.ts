import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Progress } from "../journal/journal.js";

/**
 * Follows a run folder's events.jsonl as the trial writes it and keeps the latest step, loss and
 * evaluation: the trial's live progress, without any channel beyond the run folder itself.
 */
export class EventsFollower {
  private offset = 0;
  private partial = "";
  private progress: Omit<Progress, "at"> | null = null;

  constructor(private readonly runDir: string) {
    // A resumed run appends: its old lines describe the earlier attempt, which still counts.
  }

  /** Reads what was appended since the last call; returns the progress when it changed. */
  poll(): Progress | null {
    const path = join(this.runDir, "events.jsonl");
    if (!existsSync(path)) return null;
    const size = statSync(path).size;
    if (size <= this.offset) return null;
    const fd = openSync(path, "r");
    const buf = Buffer.alloc(size - this.offset);
    try {
      readSync(fd, buf, 0, buf.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const lines = (this.partial + buf.toString("utf8")).split("\n");
    this.partial = lines.pop() ?? "";
    let changed = false;
    for (const line of lines) {
      let e: { type?: string; step?: number; loss?: number; totalSteps?: number; metrics?: Record<string, number> };
      try {
        e = JSON.parse(line);
      } catch {
        continue;
      }
      const p = this.progress ?? { step: 0 };
      if (e.type === "run:start" && typeof e.totalSteps === "number") p.totalSteps = e.totalSteps;
      else if (e.type === "step:end" && typeof e.step === "number") {
        p.step = e.step + 1;
        if (typeof e.loss === "number") p.loss = e.loss;
      } else if (e.type === "eval:end" && e.metrics) p.eval = e.metrics;
      else continue;
      this.progress = p;
      changed = true;
    }
    return changed && this.progress ? { ...this.progress, at: new Date().toISOString() } : null;
  }
}
