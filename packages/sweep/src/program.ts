import { Command } from "commander";
import { resolve } from "node:path";
import { resolveCliBin } from "./commands/cli-bin.js";

// Each command loads only what it needs: a worker does not load the report's plotting stack.
const commands = {
  run: async () => (await import("./commands/sweep-run.js")).sweepRun,
  status: async () => (await import("./commands/sweep-status.js")).sweepStatus,
  report: async () => (await import("./commands/sweep-report.js")).sweepReport,
  worker: async () => (await import("./queue/run-worker.js")).runWorker,
};

const int = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected a whole number ≥ 1 (got "${v}")`);
  return n;
};

/**
 * `aflora-sweep`: the sweep commands on their own (`run`, `status`, `report`, `worker`), for use
 * before the aflora CLI wires them as `aflora sweep …` and `aflora worker`.
 */
export function buildSweepProgram(): Command {
  const program = new Command("aflora-sweep").description(
    "Sweeps of aflora runs: embedded, or distributed on BullMQ over Redis.",
  );
  program
    .command("run")
    .argument("[file]", "sweep file (YAML or JSON)")
    .option("--preset <name>", "a sweep preset instead of a file: paper-glue")
    .option("--queue <url>", "distributed: redis://host:port (or rediss://, with a password)")
    .option("--parallel <n>", "embedded: trials at a time (default: cores ÷ threadsPerTrial)", int("--parallel"))
    .option("--output <dir>", "parent folder of the sweep folder")
    .option("--detach", "queue mode: enqueue and return")
    .option("--cli <bin>", "the aflora CLI trials run with (default: AFLORA_CLI_BIN or @aflora/cli)")
    .action(
      async (
        file: string | undefined,
        f: { preset?: string; queue?: string; parallel?: number; output?: string; detach?: boolean; cli?: string },
      ) => {
        const r = await (await commands.run())(file, { ...f, ...(f.cli ? { cliBin: f.cli } : {}) });
        if (r.report) process.stdout.write(r.report.markdown);
        if (!r.ok && !f.detach) process.exitCode = 1;
      },
    );
  program
    .command("status")
    .argument("<dir>", "sweep folder (with sweep.json)")
    .option("--queue <url>", "the queue, for live progress when sweep.json's URL has no password")
    .action(async (dir: string, f: { queue?: string }) => {
      process.stdout.write((await (await commands.status())(resolve(dir), f)).text);
    });
  program
    .command("report")
    .argument("<dir>", "sweep folder (with sweep.json)")
    .action(async (dir: string) => {
      process.stdout.write((await (await commands.report())(dir)).markdown);
    });
  program
    .command("worker")
    .requiredOption("--queue <url>", "redis://host:port (or rediss://, with a password)")
    .option("--concurrency <n>", "trials at a time", int("--concurrency"), 1)
    .option("--cli <bin>", "the aflora CLI trials run with")
    .option(
      "--lock-duration <ms>",
      "job lock; a dead worker's trial moves on after this (default 30000)",
      int("--lock-duration"),
    )
    .option(
      "--stalled-interval <ms>",
      "how often to look for stalled trials (default 30000)",
      int("--stalled-interval"),
    )
    .action(
      async (f: {
        queue: string;
        concurrency: number;
        cli?: string;
        lockDuration?: number;
        stalledInterval?: number;
      }) => {
        const stop = new AbortController();
        // `on`, not `once`: proper-lockfile's signal-exit re-raises a signal nobody else listens to.
        // A second signal exits at once (trials are left to their checkpoints).
        const onSignal = () => (stop.signal.aborted ? process.exit(130) : stop.abort());
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
        const w = await (
          await commands.worker()
        )({
          queue: f.queue,
          concurrency: f.concurrency,
          cliBin: resolveCliBin(f.cli),
          signal: stop.signal,
          ...(f.lockDuration ? { lockDurationMs: f.lockDuration } : {}),
          ...(f.stalledInterval ? { stalledIntervalMs: f.stalledInterval } : {}),
        });
        await w.closed;
      },
    );
  return program;
}

/** Runs the program; errors print as one line (no stack), exit code 1. */
export async function sweepMain(argv: string[]): Promise<number> {
  try {
    await buildSweepProgram().parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    process.stderr.write(`aflora: ${(e as Error).message}\n`);
    return 1;
  }
}
