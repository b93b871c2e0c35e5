import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_CLI, quiet, scratch, writeFile } from "../../test/helpers.js";
import { sweepRun } from "../commands/sweep-run.js";
import { sweepStatus } from "../commands/sweep-status.js";
import { readJournal } from "../journal/journal-file.js";
import { resultsTable } from "../report/render-markdown.js";
import { startRedisServer, type RedisServer } from "../testing/redis-server.js";
import { QUEUE_NAME, connectRedis } from "./connection.js";
import { runWorker } from "./run-worker.js";

const BIN = fileURLToPath(new URL("../../bin/aflora-sweep.js", import.meta.url));
const SWEEP = (stepMs: number) => `name: queued
base: { preset: tiny, fake: { stepMs: ${stepMs} } }
retries: 1
grid:
  training.lr: [0.01, 0.02]
  training.seed: [1, 2, 3]
`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(f: () => T | undefined | false, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

let server: RedisServer;
const children: ChildProcess[] = [];
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGTERM");
    await exited;
  }
  await server.stop();
});

/** `aflora-sweep worker` in its own process, as on another machine (short lock so a kill is noticed fast). */
function startWorker(log: string[], concurrency = 1): ChildProcess {
  const c = spawn(
    process.execPath,
    [
      BIN,
      "worker",
      "--queue",
      server.url,
      "--cli",
      FAKE_CLI,
      "--concurrency",
      String(concurrency),
      "--lock-duration",
      "2000",
      "--stalled-interval",
      "1000",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  c.stderr!.on("data", (b: Buffer) => log.push(b.toString()));
  children.push(c);
  return c;
}

describe("distributed sweeps on BullMQ", () => {
  it("enqueues each trial once (jobId = trial id), even when the sweep is submitted twice", async () => {
    const dir = scratch();
    const file = writeFile(dir, "s.yaml", SWEEP(0).replace("name: queued", "name: dedupe"));
    await sweepRun(file, { cliBin: FAKE_CLI, queue: server.url, detach: true, log: quiet });
    await sweepRun(file, { cliBin: FAKE_CLI, queue: server.url, detach: true, log: quiet });
    const redis = await connectRedis(server.url);
    const queue = new Queue(QUEUE_NAME, { connection: redis });
    const ids = readJournal(join(dir, "sweeps", "dedupe"))
      .trials.map((t) => t.id)
      .sort();
    const jobs = await queue.getJobs(["waiting"]);
    expect(
      jobs
        .map((j) => j.id)
        .filter((id) => ids.includes(id!))
        .sort(),
    ).toEqual(ids);
    expect(jobs.filter((j) => j.name === "dedupe")).toHaveLength(6);
    for (const j of jobs) await j.remove();
    await queue.close();
    redis.disconnect();
  });

  it("runs through a worker with live progress in sweep status, and reports what embedded mode reports", async () => {
    const dir = scratch();
    const file = writeFile(dir, "s.yaml", SWEEP(150));
    const worker = await runWorker({ queue: server.url, cliBin: FAKE_CLI, concurrency: 3, log: quiet });
    const submitted = sweepRun(file, { cliBin: FAKE_CLI, queue: server.url, log: quiet, plot: false });
    const sweepDir = join(dir, "sweeps", "queued");
    let seen = null;
    for (let i = 0; i < 200 && !seen; i++) {
      if (existsSync(join(sweepDir, "sweep.json"))) {
        const s = await sweepStatus(sweepDir);
        seen =
          s.trials.find(
            (t) => t.source === "queue" && t.state === "running" && (t.step ?? 0) >= 1 && t.loss !== null,
          ) ?? null;
      }
      if (!seen) await sleep(150);
    }
    expect(seen).not.toBeNull();
    expect(seen!.worker).toBe(worker.id);
    const r = await submitted;
    await worker.close();
    expect(r.ok).toBe(true);
    const status = await sweepStatus(sweepDir);
    expect(status.counts.done).toBe(6);
    expect(status.text).toContain("queued (queue on redis://127.0.0.1:");

    const embedded = await sweepRun(file, {
      cliBin: FAKE_CLI,
      output: join(dir, "embedded"),
      parallel: 3,
      log: quiet,
      plot: false,
    });
    expect(resultsTable(r.report!.table)).toBe(resultsTable(embedded.report!.table));
    expect(resultsTable(r.report!.table)).toContain("| AFLoRA (training.lr=0.02) | 72.00 ± 1.00 | 72.00 | 1,000 |");
  });

  it("hands a kill -9'd worker's trial to another worker, which resumes it from its last checkpoint", async () => {
    const dir = scratch();
    const file = writeFile(dir, "s.yaml", SWEEP(150).replace("name: queued", "name: killed"));
    const logA: string[] = [];
    const logB: string[] = [];
    const a = startWorker(logA);
    await until(() => logA.join("").includes("waiting for trials"), "worker A");
    const submitted = sweepRun(file, { cliBin: FAKE_CLI, queue: server.url, log: quiet, plot: false });
    const sweepDir = join(dir, "sweeps", "killed");
    // Worker A's first trial past its first checkpoint (step 2 of 6).
    const victim = await until(() => {
      if (!existsSync(join(sweepDir, "sweep.json"))) return undefined;
      return readJournal(sweepDir).trials.find(
        (t) =>
          t.state === "running" &&
          t.runDir &&
          existsSync(join(t.runDir, "checkpoints", "latest")) &&
          t.attempts.at(-1)!.worker.endsWith(`:${a.pid}`),
      );
    }, "a checkpoint on worker A");
    const b = startWorker(logB, 3);
    a.kill("SIGKILL");
    const r = await submitted;
    expect(r.ok).toBe(true);
    const t = readJournal(sweepDir).trials.find((x) => x.id === victim.id)!;
    expect(t.attempts[0]!.worker).toMatch(new RegExp(`:${a.pid}$`));
    expect(t.attempts.at(-1)!.worker).toMatch(new RegExp(`:${b.pid}$`));
    expect(t.attempts.at(-1)!.resumedFromStep).toBeGreaterThanOrEqual(2);
    expect(t.attempts.at(-1)!.outcome).toBe("done");
    // The killed worker's trial process died with it (its sandbox killed it when the IPC channel closed).
    expect(() => process.kill(t.attempts[0]!.pid!, 0)).toThrow();
    // Exactly once to the end: one run folder per trial, one finished segment each.
    for (const x of readJournal(sweepDir).trials) {
      expect(readdirSync(sweepDir).filter((d) => d.includes(`-${x.id}-`))).toHaveLength(1);
      const ends = readFileSync(join(x.runDir!, "events.jsonl"), "utf8")
        .split("\n")
        .filter((l) => l.includes('"eval:end"'));
      expect(ends).toHaveLength(1);
    }
    const steps = readFileSync(join(t.runDir!, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === "step:end")
      .map((e) => e.step);
    expect(new Set(steps)).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    expect(logB.join("")).toContain(`trial ${victim.id} of killed started`);
    const bGone = new Promise((r) => b.once("exit", r));
    b.kill("SIGTERM");
    await bGone;
  });
});

describe("stopping a worker", () => {
  it("checkpoints its running trial on SIGTERM and leaves the trial to the next worker", async () => {
    const dir = scratch();
    const file = writeFile(
      dir,
      "s.yaml",
      // 20 steps: under load the journal's progress can trail the trial by a few steps, and a
      // 6-step trial then finished before the signal arrived.
      "name: stopped\nbase: { preset: tiny, training: { maxSteps: 20 }, fake: { stepMs: 300 } }\nretries: 2\ngrid:\n  training.seed: [7]\n",
    );
    const logA: string[] = [];
    const a = startWorker(logA);
    await until(() => logA.join("").includes("waiting for trials"), "worker A");
    const submitted = sweepRun(file, { cliBin: FAKE_CLI, queue: server.url, log: quiet, plot: false });
    const sweepDir = join(dir, "sweeps", "stopped");
    await until(() => {
      if (!existsSync(join(sweepDir, "sweep.json"))) return false;
      const t = readJournal(sweepDir).trials[0]!;
      return (t.progress?.step ?? 0) >= 3 && t.attempts.at(-1)?.worker.endsWith(`:${a.pid}`);
    }, "trial progress on worker A");
    const exited = new Promise((r) => a.once("exit", r));
    a.kill("SIGTERM");
    await exited;
    const stopped = readJournal(sweepDir).trials[0]!;
    expect(stopped.state).toBe("interrupted");
    expect(stopped.attempts[0]!.outcome).toBe("interrupted");
    expect(stopped.attempts[0]!.exitCode).toBe(130);
    expect(stopped.attempts[0]!.signal).toBeNull();
    expect(logA.join("")).toContain(`trial ${stopped.id} failed: training.seed=7: interrupted after a checkpoint`);
    startWorker([]);
    expect((await submitted).ok).toBe(true);
    const t = readJournal(sweepDir).trials[0]!;
    expect(t.attempts.at(-1)!.resumedFromStep).toBeGreaterThanOrEqual(2);
    expect(t.attempts.at(-1)!.outcome).toBe("done");
  });
});
