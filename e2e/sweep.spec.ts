import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJournal, resultsTable, sampleStd, sweepRun, sweepStatus } from "@aflora/sweep";
import { startRedisServer, type RedisServer } from "@aflora/sweep/testing";
import { AFLORA, REPO, events, readJson, scratch } from "./helpers.js";

/** The sweep's own worker command until `aflora worker` wires runWorker. */
const SWEEP_BIN = join(REPO, "packages/sweep/bin/aflora-sweep.js");
const MAX_STEPS = 4;
// 2 learning rates × 3 seeds of the demo, a few steps each on a small slice, a checkpoint every 2 steps.
const SWEEP = `name: demo-e2e
base:
  preset: demo
  data: { maxExamples: 200 }
  training: { batchSize: 8, maxSeqLength: 32, maxSteps: ${MAX_STEPS}, checkpointEvery: 2 }
grid:
  training.lr: [0.01, 0.02]
  training.seed: [1, 2, 3]
plots: false
`;
const env = { ...process.env, AFLORA_BACKEND: "wasm" };
const log = () => {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: RedisServer;
const workers: ChildProcess[] = [];
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  for (const w of workers) {
    if (w.exitCode !== null || w.signalCode !== null) continue;
    const gone = new Promise((r) => w.once("exit", r));
    w.kill("SIGTERM");
    await gone;
  }
  await server?.stop();
});

function startWorker(): ChildProcess {
  const w = spawn(
    process.execPath,
    [
      SWEEP_BIN,
      "worker",
      "--queue",
      server.url,
      "--cli",
      AFLORA,
      "--lock-duration",
      "3000",
      "--stalled-interval",
      "1500",
    ],
    { cwd: REPO, env, stdio: ["ignore", "ignore", "pipe"] },
  );
  w.stderr!.resume();
  workers.push(w);
  return w;
}

describe("sweeps of the demo", () => {
  it("run through 2 workers, survive a worker's SIGKILL, and give the embedded mode's table", async () => {
    const dir = scratch("sweep");
    const file = join(dir, "demo-e2e.yaml");
    writeFileSync(file, SWEEP);
    const a = startWorker();
    const b = startWorker();
    const submitted = sweepRun(file, { queue: server.url, cliBin: AFLORA, output: join(dir, "queue"), log });
    const sweepDir = join(dir, "queue", "demo-e2e");

    // Kill worker A once a trial it runs has its first checkpoint and `sweep status` shows its live
    // step from the queue (the worker reads events.jsonl every 500 ms, so the status may lag the file).
    let victim: string | null = null;
    for (let i = 0; i < 2400 && !victim; i++) {
      await sleep(100);
      if (!existsSync(join(sweepDir, "sweep.json"))) continue;
      const t = readJournal(sweepDir).trials.find(
        (x) =>
          x.state === "running" &&
          x.attempts.at(-1)?.worker.endsWith(`:${a.pid}`) &&
          x.runDir &&
          existsSync(join(x.runDir, "events.jsonl")) &&
          events(x.runDir).some((e) => e.type === "checkpoint:saved"),
      );
      if (!t) continue;
      const live = (await sweepStatus(sweepDir)).trials.find((x) => x.id === t.id)!;
      if (live.source === "queue" && live.step !== null && live.step >= 1) victim = t.id;
    }
    expect(victim, "worker A never reached a checkpoint shown live by sweep status").not.toBeNull();
    a.kill("SIGKILL");

    const queued = await submitted;
    expect(queued.ok).toBe(true);
    const journal = readJournal(sweepDir);
    const killed = journal.trials.find((t) => t.id === victim)!;
    expect(killed.attempts[0]!.worker).toMatch(new RegExp(`:${a.pid}$`));
    expect(killed.attempts.at(-1)!.worker).toMatch(new RegExp(`:${b.pid}$`));
    expect(killed.attempts.at(-1)!.resumedFromStep).toBeGreaterThanOrEqual(2);
    // Every trial done exactly once to the end: one run folder, one run:end, every step once trained to the end.
    for (const t of journal.trials) {
      expect(t.state).toBe("done");
      expect(readdirSync(sweepDir).filter((d) => d.includes(`-${t.id}-`))).toHaveLength(1);
      const ev = events(t.runDir!);
      expect(ev.filter((e) => e.type === "run:end")).toHaveLength(1);
      expect(new Set(ev.filter((e) => e.type === "step:end").map((e) => e.step))).toEqual(new Set([0, 1, 2, 3]));
      expect(readJson(join(t.runDir!, "report.json")).steps.done).toBe(MAX_STEPS);
    }

    // The table: each lr's mean ± sample std over seeds of the demo's selection metric (F1 ×100).
    const rows = resultsTable(queued.report!.table).split("\n").slice(2);
    expect(rows).toHaveLength(2);
    for (const [i, lr] of [0.01, 0.02].entries()) {
      const scores = journal.trials
        .filter((t) => t.overrides!["training.lr"] === lr)
        .map((t) => 100 * readJson(join(t.runDir!, "report.json")).best.value);
      const mean = scores.reduce((x, y) => x + y, 0) / scores.length;
      expect(
        rows[i]!.startsWith(
          `| AFLoRA (training.lr=${lr}) | ${mean.toFixed(2)} ± ${sampleStd(scores)!.toFixed(2)} | ${mean.toFixed(2)} |`,
        ),
      ).toBe(true);
    }

    // The same sweep in embedded mode: the same table, and the killed trial's losses as an uninterrupted run.
    const embedded = await sweepRun(file, { cliBin: AFLORA, output: join(dir, "embedded"), parallel: 2, env, log });
    expect(embedded.ok).toBe(true);
    expect(resultsTable(embedded.report!.table)).toBe(resultsTable(queued.report!.table));
    const straight = readJournal(embedded.dir).trials.find((t) => t.id === victim)!;
    expect(straight.attempts).toHaveLength(1);
    const losses = (runDir: string) =>
      readJson(join(runDir, "report.json")).loss.map((p: { step: number; loss: number }) => [p.step, p.loss]);
    expect(losses(killed.runDir!)).toEqual(losses(straight.runDir!));
  }, 600_000);
});
