#!/usr/bin/env node
// Measures the sweep machinery at scale: N no-op trials through BullMQ on a throw-away
// redis-server with W worker processes (default 1,000 trials, 4 workers), all on this machine.
// Prints throughput, the overhead per trial and Redis memory per job, as JSON and a Markdown line.
//
//   npm run build && node tools/sweep-sim/sim.mjs [--trials 1000] [--workers 4] [--out results.json]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { connectRedis, readJournal, sweepRun } from "@aflora/sweep";
import { startRedisServer } from "@aflora/sweep/testing";

const { values } = parseArgs({
  options: {
    trials: { type: "string", default: "1000" },
    workers: { type: "string", default: "4" },
    out: { type: "string" },
  },
});
const TRIALS = Number(values.trials);
const WORKERS = Number(values.workers);
const NOOP = fileURLToPath(new URL("./noop-aflora.mjs", import.meta.url));
const SWEEP_BIN = fileURLToPath(new URL("../../packages/sweep/bin/aflora-sweep.js", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "aflora-sweep-sim-"));
const server = await startRedisServer();
const workers = [];
try {
  const file = join(dir, "sim.json");
  writeFileSync(
    file,
    JSON.stringify({
      name: "sim",
      base: { training: { seed: 0 } },
      grid: { "training.seed": Array.from({ length: TRIALS }, (_, i) => i) },
      retries: 0,
      plots: false,
    }),
  );
  const redis = await connectRedis(server.url);
  const memory = async () => Number(/used_memory:(\d+)/.exec(await redis.info("memory"))[1]);
  const before = await memory();
  const t0 = Date.now();
  await sweepRun(file, { queue: server.url, cliBin: NOOP, detach: true, log: () => {} });
  const enqueueMs = Date.now() - t0;
  const perJobBytes = ((await memory()) - before) / TRIALS;
  for (let i = 0; i < WORKERS; i++) {
    const w = spawn(process.execPath, [SWEEP_BIN, "worker", "--queue", server.url, "--cli", NOOP], { stdio: "ignore" });
    workers.push(w);
  }
  const t1 = Date.now();
  const r = await sweepRun(file, { queue: server.url, cliBin: NOOP, log: () => {}, plot: false });
  const wallMs = Date.now() - t1;
  const j = readJournal(r.dir);
  const childMs = j.trials.reduce((s, t) => s + t.elapsedMs, 0) / TRIALS;
  const result = {
    trials: TRIALS,
    workers: WORKERS,
    cores: availableParallelism(),
    done: j.trials.filter((t) => t.state === "done").length,
    enqueueMs,
    wallMs,
    throughputPerS: +(TRIALS / (wallMs / 1000)).toFixed(2),
    // Worker-seconds per trial beyond the trial's own process (spawn to exit): queue, sandbox, journal.
    overheadPerTrialMs: Math.round((wallMs * WORKERS) / TRIALS - childMs),
    trialProcessMs: Math.round(childMs),
    redisBytesPerJob: Math.round(perJobBytes),
    journalBytes: statSync(join(r.dir, "sweep.json")).size,
  };
  redis.disconnect();
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  if (values.out)
    writeFileSync(
      values.out,
      JSON.stringify({ ...result, date: new Date().toISOString(), node: process.version }, null, 2) + "\n",
    );
} finally {
  for (const w of workers) w.kill("SIGTERM");
  await Promise.all(workers.map((w) => new Promise((res) => (w.exitCode !== null ? res() : w.once("exit", res)))));
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
