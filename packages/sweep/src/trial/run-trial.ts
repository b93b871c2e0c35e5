import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Progress } from "../journal/journal.js";
import { EventsFollower } from "./events-follower.js";
import { LogTail } from "./log-tail.js";
import { continuation, trialRunFolders } from "./run-folders.js";

/** What one attempt at a trial runs. */
export type TrialTask =
  | { kind: "train"; id: string; configFile: string; maxSteps?: number }
  | { kind: "command"; id: string; args: string[] };

export interface TrialContext {
  /** The aflora CLI entry (packages/cli/bin/aflora.js), run with this Node. */
  cliBin: string;
  /** The sweep folder: run folders, logs/. */
  sweepDir: string;
  cwd: string;
  plots: boolean;
  threadsPerTrial: number;
  env?: NodeJS.ProcessEnv;
  /** Aborting asks the trial to stop cleanly (SIGTERM: it checkpoints and exits 130). */
  signal?: AbortSignal;
  /** Aborting kills the trial at once (SIGKILL): its runner is going away; the next attempt resumes. */
  hardStop?: AbortSignal;
  onStart?: (info: { runDir: string | null; resumedFromStep?: number; pid: number }) => void;
  onRunDir?: (runDir: string) => void;
  onProgress?: (p: Progress) => void;
  /** Receives the trial's own stdout+stderr lines (for a worker's log). */
  onLine?: (line: string) => void;
}

export interface TrialOutcome {
  outcome: "done" | "failed" | "interrupted";
  /** A failure another attempt may fix (a crash or kill), unlike a bad config or a failed check. */
  retryable: boolean;
  exitCode: number | null;
  signal: string | null;
  runDir: string | null;
  resumedFromStep?: number;
  /** Already finished by an earlier attempt: nothing ran. */
  alreadyDone?: boolean;
  message: string;
  logTail: string[];
  elapsedMs: number;
}

const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

/**
 * Runs one attempt at a trial as a child process of the aflora CLI: a fresh `train --config`,
 * `train --resume` from the last checkpoint an earlier attempt left, or nothing when an earlier
 * attempt already finished. Output goes to `<sweep>/logs/<id>.log`; a crash, a kill (OOM) or a
 * bad config ends as an outcome with the log's tail, never as an exception of the runner.
 */
export async function runTrial(task: TrialTask, ctx: TrialContext): Promise<TrialOutcome> {
  const started = Date.now();
  let args: string[];
  let runDir: string | null = null;
  let resumedFromStep: number | undefined;
  if (task.kind === "train") {
    const next = continuation(ctx.sweepDir, task.id);
    if (next.kind === "finished") {
      return {
        outcome: "done",
        retryable: false,
        exitCode: 0,
        signal: null,
        runDir: next.runDir,
        alreadyDone: true,
        message: "finished by an earlier attempt",
        logTail: [],
        elapsedMs: 0,
      };
    }
    // Not --quiet: its progress and start-up lines make the log, and a failure's tail, useful.
    const tail = ctx.plots ? [] : ["--no-plots"];
    if (next.kind === "resume") {
      runDir = next.runDir;
      resumedFromStep = next.step;
      args = ["train", "--resume", runDir, ...tail];
    } else args = ["train", "--config", task.configFile, "--output", ctx.sweepDir, "--name", task.id, ...tail];
  } else args = task.args;

  mkdirSync(join(ctx.sweepDir, "logs"), { recursive: true });
  const log = createWriteStream(join(ctx.sweepDir, "logs", `${task.id}.log`), { flags: "a" });
  log.write(`\n=== ${new Date().toISOString()} ${process.execPath} ${ctx.cliBin} ${args.join(" ")}\n`);
  const threads = String(ctx.threadsPerTrial);
  const child = spawn(process.execPath, [ctx.cliBin, ...args], {
    cwd: ctx.cwd,
    env: { OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads, ...process.env, ...ctx.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  ctx.onStart?.({ runDir, ...(resumedFromStep !== undefined ? { resumedFromStep } : {}), pid: child.pid ?? -1 });
  const tail = new LogTail();
  let follower = runDir ? new EventsFollower(runDir) : null;
  const onChunk = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    log.write(text);
    for (const line of tail.push(text)) {
      ctx.onLine?.(line);
      const m = /^run folder: (.+)$/.exec(line.trim());
      if (m && !runDir) {
        runDir = m[1]!;
        follower = new EventsFollower(runDir);
        ctx.onRunDir?.(runDir);
      }
    }
  };
  child.stdout.on("data", onChunk);
  child.stderr.on("data", onChunk);
  const maxSteps = task.kind === "train" ? task.maxSteps : undefined;
  const poll = () => {
    // The run folder, whether or not the CLI printed it: the only folder named after this trial
    // (an earlier attempt's leftovers were resumed or removed before this one started).
    if (!runDir && task.kind === "train") {
      const found = trialRunFolders(ctx.sweepDir, task.id)[0];
      if (found) {
        runDir = found;
        follower = new EventsFollower(runDir);
        ctx.onRunDir?.(runDir);
      }
    }
    const p = follower?.poll();
    if (p) ctx.onProgress?.(maxSteps && (p.totalSteps ?? Infinity) > maxSteps ? { ...p, totalSteps: maxSteps } : p);
  };
  const timer = setInterval(poll, 500);
  const stop = () => child.kill("SIGTERM");
  let killed = false;
  const kill = () => {
    killed = true;
    child.kill("SIGKILL");
  };
  ctx.signal?.addEventListener("abort", stop, { once: true });
  ctx.hardStop?.addEventListener("abort", kill, { once: true });
  const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((res) => {
    child.on("error", (e) => {
      tail.push(`${e.message}\n`);
      res({ code: null, signal: null });
    });
    child.on("close", (c, s) => res({ code: c, signal: s }));
  });
  clearInterval(timer);
  ctx.signal?.removeEventListener("abort", stop);
  ctx.hardStop?.removeEventListener("abort", kill);
  poll();
  await new Promise<void>((res) => log.end(res));
  const elapsedMs = Date.now() - started;
  const base = {
    exitCode: code,
    signal,
    runDir,
    ...(resumedFromStep !== undefined ? { resumedFromStep } : {}),
    logTail: tail.tail,
    elapsedMs,
  };
  if (code === 0) return { ...base, outcome: "done", retryable: false, message: "done" };
  if (killed) return { ...base, outcome: "interrupted", retryable: true, message: "stopped: its runner went away" };
  if (code === EXIT_INTERRUPTED)
    return { ...base, outcome: "interrupted", retryable: true, message: "interrupted after a checkpoint" };
  const lastError = [...tail.tail].reverse().find((l) => /^aflora:|error/i.test(l));
  const why = signal
    ? `killed by ${signal}${signal === "SIGKILL" ? " (out of memory, or killed)" : ""}`
    : `exited with code ${code}${lastError ? `: ${lastError}` : ""}`;
  // A bad config or a failing check fails the same way every time; a crash or kill may not.
  const retryable = signal !== null || (code !== EXIT_USAGE && task.kind === "train");
  return { ...base, outcome: "failed", retryable, message: why };
}
