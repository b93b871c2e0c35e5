// Times one (size, method) configuration in its own process, so that its peak memory is
// its own: node step-child.mjs '<json options>' → prints one JSON line prefixed "RESULT ".
// With workers > 1 the batch is split over data-parallel worker threads (dp-worker.mjs).
import "reflect-metadata";
import * as tf from "@tensorflow/tfjs-core";
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { createKernelProfiler } from "@aflora/core";
import { benchBatch, setupBench } from "./setup.mjs";

const opts = JSON.parse(process.argv[2]);
const {
  size,
  method,
  cfg,
  warmup,
  iters,
  recompute,
  stockGradients,
  maxSeconds,
  profile,
  workers = 1,
  model: kind = "encoder",
  backend = "auto",
  threads,
} = opts;
const log = (s) => process.stderr.write(`[aflora ${size} ${method}${workers > 1 ? ` ×${workers}` : ""}] ${s}\n`);

function cpuSnapshot() {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const busy = f.reduce((a, b) => a + b, 0) - f[3] - f[4];
  const u = process.cpuUsage(); // all threads of this process
  return { busyMs: busy * 10, ownMs: (u.user + u.system) / 1000 }; // USER_HZ = 100
}

const tBuild = performance.now();
const batch = benchBatch(cfg);
let step;
let counts;
let close = () => {};
let leakCheck = () => {};
let selection = { backend: "wasm", blas: null, blasVendor: null, threads: 1 };
/** The model's own recompute decision (encoder model, one worker). */
let decision = () => null;
if (workers <= 1) {
  const {
    model,
    vars,
    optimizer,
    counts: c,
    lossAndGradients,
    selection: s,
  } = await setupBench({ method, cfg, stockGradients, model: kind, recompute, backend, threads });
  selection = s;
  decision = () => model.lastRecompute ?? null;
  counts = c;
  step = async () => {
    const { loss, grads } = lossAndGradients(batch, vars);
    optimizer.step(grads, 1);
    const l = loss.dataSync()[0];
    tf.dispose([loss, ...grads.values()]);
    return l;
  };
  const before = () => tf.memory().numTensors;
  let n = null;
  leakCheck = (phase) => {
    if (phase === "start") n = before();
    else if (before() !== n) throw new Error(`tensor leak: ${n} → ${before()}`);
  };
} else {
  if (cfg.batch % workers !== 0) throw new Error(`workers: batch ${cfg.batch} is not divisible by ${workers}`);
  const per = cfg.batch / workers;
  const shards = Array.from({ length: workers }, (_, w) => ({
    inputIds: batch.inputIds.slice(w * per * cfg.seq, (w + 1) * per * cfg.seq),
    labels: batch.labels.slice(w * per, (w + 1) * per),
  }));
  const pool = shards.map(
    (shard) =>
      new Worker(new URL("./dp-worker.mjs", import.meta.url), {
        workerData: { method, cfg: { ...cfg, batch: per }, shard, stockGradients, recompute, model: kind },
      }),
  );
  const next = (w) =>
    new Promise((resolve, reject) => {
      const onError = (e) => {
        w.off("message", onMessage);
        reject(e);
      };
      const onMessage = (m) => {
        w.off("error", onError);
        resolve(m);
      };
      w.once("message", onMessage);
      w.once("error", onError);
    });
  counts = (await Promise.all(pool.map(next)))[0].counts;
  step = async () => {
    const replies = await Promise.all(pool.map((w) => (w.postMessage({ type: "grads" }), next(w))));
    const sum = replies[0].arrays;
    for (const r of replies.slice(1))
      r.arrays.forEach((a, i) => {
        const s = sum[i];
        for (let j = 0; j < a.length; j++) s[j] += a[j];
      });
    for (const s of sum) for (let j = 0; j < s.length; j++) s[j] /= workers;
    const acks = await Promise.all(pool.map((w) => (w.postMessage({ type: "apply", arrays: sum }), next(w))));
    leakState.push(acks.map((a) => a.numTensors));
    return replies.reduce((a, r) => a + r.loss, 0) / workers;
  };
  const leakState = [];
  leakCheck = (phase) => {
    if (phase === "start") leakState.length = 0;
    else if (leakState.length > 1 && leakState.at(-1).some((n, i) => n !== leakState[0][i]))
      throw new Error(`tensor leak in a worker: ${leakState[0]} → ${leakState.at(-1)}`);
  };
  close = () => pool.forEach((w) => w.terminate());
}
log(`model and adapter built in ${(performance.now() - tBuild).toFixed(0)} ms`);

const losses = [];
for (let i = 0; i < warmup; i++) {
  const c0 = cpuSnapshot();
  const t0 = performance.now();
  losses.push(await step());
  log(
    `warm-up ${i} ${(performance.now() - t0).toFixed(0)} ms (own cpu ${(cpuSnapshot().ownMs - c0.ownMs).toFixed(0)} ms)`,
  );
}
leakCheck("start");
const steps = [];
const start = performance.now();
for (;;) {
  const c0 = cpuSnapshot();
  const t0 = performance.now();
  losses.push(await step());
  const ms = performance.now() - t0;
  const c1 = cpuSnapshot();
  const own = c1.ownMs - c0.ownMs;
  const foreign = Math.max(0, c1.busyMs - c0.busyMs - own);
  steps.push({ ms, ownCpuMs: own, foreignCpuMs: foreign, clean: foreign <= 0.1 * ms });
  log(
    `step ${steps.length - 1} ${ms.toFixed(0)} ms (own cpu ${own.toFixed(0)} ms, other processes ${foreign.toFixed(0)} ms) loss ${losses.at(-1).toFixed(4)}`,
  );
  const clean = steps.filter((s) => s.clean).length;
  if (clean >= iters || steps.length >= iters * 2) break;
  if (steps.length >= iters && (performance.now() - start) / 1000 > maxSeconds) break;
}
leakCheck("end");
if (!losses.every(Number.isFinite)) throw new Error(`non-finite loss: ${losses}`);

let kernels = null;
if (profile && workers <= 1) {
  // One extra, untimed step with every kernel timed (core's createKernelProfiler, as `aflora train --profile`).
  const profiler = createKernelProfiler({
    steps: 1,
    skip: 0,
    clock: process.env.AFLORA_PROFILE_CLOCK === "wall" ? "wall" : "cpu",
  });
  profiler.stepStart();
  await step();
  profiler.stepEnd();
  const p = profiler.profile();
  kernels = {
    stepMs: p.stepMs,
    outsideKernelsMs: p.outsideKernelsMsPerStep,
    rows: p.rows.map((r) => ({ name: r.kernel, ms: r.msPerStep, calls: r.calls, share: r.share })),
  };
  log(
    `profile: ${kernels.rows
      .slice(0, 12)
      .map((k) => `${k.name} ${k.ms.toFixed(0)} ms/${k.calls}`)
      .join(", ")}`,
  );
}
close();

const result = {
  framework: "aflora",
  backend: selection.backend,
  blas: selection.blas,
  blasVendor: selection.blasVendor,
  threads: selection.threads,
  size,
  method,
  model: kind,
  workers,
  recompute: decision()?.recompute ?? recompute === true,
  recomputeReason: decision()?.reason ?? null,
  fastGradients: !stockGradients,
  warmup,
  iters,
  steps,
  kernels,
  losses: [losses[0], losses.at(-1)],
  trainableParams: counts.trainable,
  trainableWithoutHead: counts.trainableWithoutHead,
  totalParams: counts.total,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
};
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
