import { existsSync } from "node:fs";
import { join } from "node:path";
import { SweepError } from "../errors.js";
import { runEmbedded } from "../embedded/run-embedded.js";
import { initJournal } from "../journal/init-journal.js";
import { readJournal } from "../journal/journal-file.js";
import { planSweep } from "../plan/plan-sweep.js";
import { connectRedis, redactUrl } from "../queue/connection.js";
import { enqueueTrials } from "../queue/enqueue.js";
import { waitForQueuedTrials } from "../queue/wait.js";
import { writeSweepReport, type SweepReport } from "../report/write-report.js";
import { presetsDirOf, resolveCliBin, SWEEP_PRESETS_DIR } from "./cli-bin.js";

export interface SweepRunOptions {
  /** Distributed mode: the redis:// or rediss:// URL of the queue. Embedded when absent. */
  queue?: string;
  /** Embedded mode: trials at a time (default: the file's `parallel`, else cores ÷ threadsPerTrial). */
  parallel?: number;
  /** Parent folder of the sweep folder (default: the file's `output`, else ./sweeps beside the file). */
  output?: string;
  /** The aflora CLI entry trials run with (default: AFLORA_CLI_BIN, else the installed @aflora/cli). */
  cliBin?: string;
  /** A sweep preset of this package instead of a file, e.g. `paper-glue`. */
  preset?: string;
  /** Queue mode: enqueue and return without waiting for the trials. */
  detach?: boolean;
  /** Stops the sweep: no new trials start, running ones checkpoint (SIGTERM) and stay resumable. */
  signal?: AbortSignal;
  /** Environment for the trials (embedded mode). */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Skip the plot (report.svg). */
  plot?: boolean;
}

export interface SweepRunResult {
  dir: string;
  /** Every trial done. */
  ok: boolean;
  report: SweepReport | null;
}

/** The sweep file of a preset name, or the given path. */
export function sweepFileOf(file: string | undefined, preset: string | undefined): string {
  if (preset) {
    const path = join(SWEEP_PRESETS_DIR, `${preset}.yaml`);
    if (!/^[a-z0-9-]+$/.test(preset) || !existsSync(path))
      throw new SweepError(`--preset: no sweep preset "${preset}" (have: paper-glue)`);
    return path;
  }
  if (!file) throw new SweepError("sweep run: give a sweep file (YAML or JSON) or --preset");
  return file;
}

/**
 * `aflora sweep run <file> [--queue URL] [--parallel N]`: plans the trials, brings sweep.json up to
 * date, runs what is not done (here, or through the queue and its workers), then writes the report.
 * Running it again skips finished trials and resumes interrupted ones.
 */
export async function sweepRun(file: string | undefined, o: SweepRunOptions = {}): Promise<SweepRunResult> {
  const log = o.log ?? ((l: string) => process.stderr.write(l + "\n"));
  const cliBin = resolveCliBin(o.cliBin);
  const plan = planSweep(sweepFileOf(file, o.preset), {
    presetsDir: presetsDirOf(cliBin),
    ...(o.output ? { output: o.output } : {}),
  });
  log(`sweep ${plan.name}: ${plan.trials.length} trials in ${plan.dir}`);
  // Ctrl-C reaches the trials too (one process group): they checkpoint; the sweep just stops starting more.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  // `on`, not `once`: proper-lockfile's signal-exit re-raises a signal nobody else listens to.
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  o.signal?.addEventListener("abort", onSignal, { once: true });
  try {
    if (o.queue) {
      const j = await initJournal(plan, "queue", redactUrl(o.queue));
      const redis = await connectRedis(o.queue, log);
      try {
        const { added, kept } = await enqueueTrials(redis, j);
        log(
          `queued ${added} trials on ${redactUrl(o.queue)}${kept ? ` (${kept} already queued)` : ""}; start workers with: aflora worker --queue <URL>`,
        );
        if (o.detach) return { dir: plan.dir, ok: false, report: null };
        await waitForQueuedTrials(redis, plan.dir, { signal: stop.signal, log });
      } finally {
        redis.disconnect();
      }
    } else {
      const j = await initJournal(plan, "embedded");
      await runEmbedded(j, {
        cliBin,
        stopLaunching: stop.signal,
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.parallel ? { parallel: o.parallel } : {}),
        ...(o.env ? { env: o.env } : {}),
        log,
      });
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const j = readJournal(plan.dir);
  const report = await writeSweepReport(j, { plot: o.plot !== false });
  const notDone = j.trials.filter((t) => t.state !== "done").length;
  const ok = notDone === 0;
  log(`report: ${join(plan.dir, "report.md")}${ok ? "" : ` (${notDone} trials not done)`}`);
  return { dir: plan.dir, ok, report };
}
