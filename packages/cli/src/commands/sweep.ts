import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runWorker, sweepReport, sweepRun, sweepStatus } from "@aflora/sweep";
import { ConfigError } from "../config/config-error.js";

/** The aflora command every trial runs: this package's own bin. */
export const AFLORA_BIN = fileURLToPath(new URL("../../bin/aflora.js", import.meta.url));

const positiveInt = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${flag}: expected a positive integer (got "${v}")`);
  return n;
};

/** `aflora sweep run [file] [--preset paper-glue] [--queue URL] [--parallel N] [--output DIR] [--detach]`. */
export async function sweepRunCommand(
  file: string | undefined,
  flags: { preset?: string; queue?: string; parallel?: string; output?: string; detach?: boolean },
): Promise<void> {
  if (!file && !flags.preset) throw new ConfigError("sweep run: give a sweep file (YAML or JSON) or --preset <name>");
  const parallel = positiveInt("--parallel", flags.parallel);
  const r = await sweepRun(file, {
    ...(flags.preset ? { preset: flags.preset } : {}),
    ...(flags.queue ? { queue: flags.queue } : {}),
    ...(parallel ? { parallel } : {}),
    ...(flags.output ? { output: flags.output } : {}),
    ...(flags.detach ? { detach: true } : {}),
    cliBin: AFLORA_BIN,
  });
  if (r.report) process.stdout.write(`${r.report.markdown}\n`);
  process.stdout.write(`sweep folder: ${r.dir}\n`);
  if (!r.ok && !flags.detach) process.exitCode = 1;
}

/** `aflora sweep status <dir> [--queue URL]`: each trial's state, step and loss. */
export async function sweepStatusCommand(dir: string, flags: { queue?: string }): Promise<void> {
  const s = await sweepStatus(resolve(dir), flags.queue ? { queue: flags.queue } : {});
  process.stdout.write(`${s.text}\n`);
}

/** `aflora sweep report <dir>`: the paper-style table over seeds (markdown, CSV, JSON and a plot in the folder). */
export async function sweepReportCommand(dir: string): Promise<void> {
  const r = await sweepReport(resolve(dir));
  process.stdout.write(`${r.markdown}\n`);
}

/** `aflora worker --queue URL [--concurrency N]`: runs queued trials until stopped (Ctrl-C: trials checkpoint and go back to the queue). */
export async function workerCommand(flags: {
  queue: string;
  concurrency?: string;
  lockDuration?: string;
  stalledInterval?: string;
}): Promise<void> {
  const concurrency = positiveInt("--concurrency", flags.concurrency);
  const lockDurationMs = positiveInt("--lock-duration", flags.lockDuration);
  const stalledIntervalMs = positiveInt("--stalled-interval", flags.stalledInterval);
  const stop = new AbortController();
  let signals = 0;
  // `on`, not `once`: proper-lockfile's signal-exit re-raises a signal nobody else listens to.
  const onSignal = () => {
    if (++signals > 1) process.exit(130);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const w = await runWorker({
      queue: flags.queue,
      cliBin: AFLORA_BIN,
      signal: stop.signal,
      ...(concurrency ? { concurrency } : {}),
      ...(lockDurationMs ? { lockDurationMs } : {}),
      ...(stalledIntervalMs ? { stalledIntervalMs } : {}),
    });
    await w.closed;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
