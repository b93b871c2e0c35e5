// Times one (size, method) configuration in its own process, so that its peak memory is
// its own: node step-child.mjs '<json options>' → prints one JSON line prefixed "RESULT ".
import "reflect-metadata";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { AdamW, Rng, installFastGradients, uninstallFastGradients } from "@aflora/core";
import { applyAdapter } from "@aflora/adapter";
import { readFileSync } from "node:fs";
import { BenchClassifier } from "./bench-model.mjs";
import { METHODS } from "./methods.mjs";

const opts = JSON.parse(process.argv[2]);
const { size, method, cfg, warmup, iters, recompute, stockGradients, maxSeconds, profile } = opts;

await tf.setBackend("wasm");
await tf.ready();
if (stockGradients) uninstallFastGradients();
else installFastGradients();

const tBuild = performance.now();
const spec = METHODS[method];
const model = new BenchClassifier(cfg, { baseTrainable: spec.baseTrainable, seed: 1 });
if (spec.adapter) {
  const applied = applyAdapter(model, { ...spec.adapter, modulesToSave: ["bert.pooler", "classifier"] }, { rng: new Rng(7) });
  const freeze = spec.freezeMatrices ? applied.matrixNames.filter((n) => model.params.get(n).trainable) : [];
  if (freeze.length) model.params.freeze(freeze, "bench: AFLoRA after freezing");
}
const vars = model.params.trainableVariables();
process.stderr.write(`[aflora ${size} ${method}] model and adapter built in ${(performance.now() - tBuild).toFixed(0)} ms\n`);
const counts = model.params.counts();
const o = { lr: 1e-4, weightDecay: 0.01, betas: [0.9, 0.999], eps: 1e-8 };
const optimizer = new AdamW(model.params, o);

const rng = new Rng(1);
const ids = Int32Array.from({ length: cfg.batch * cfg.seq }, () => rng.nextUint32() % cfg.vocab);
const labels = Int32Array.from({ length: cfg.batch }, () => rng.nextUint32() % cfg.labels);

function cpuSnapshot() {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const busy = f.reduce((a, b) => a + b, 0) - f[3] - f[4];
  const u = process.cpuUsage();
  return { busyMs: busy * 10, ownMs: (u.user + u.system) / 1000 }; // USER_HZ = 100
}

function step() {
  const { loss, grads } = model.lossAndGradients(ids, labels, vars, { recompute });
  optimizer.step(grads, 1);
  const l = loss.dataSync()[0];
  tf.dispose([loss, ...grads.values()]);
  return l;
}

const losses = [];
const log = (s) => process.stderr.write(`[aflora ${size} ${method}] ${s}\n`);
for (let i = 0; i < warmup; i++) {
  const c0 = cpuSnapshot();
  const t0 = performance.now();
  losses.push(step());
  log(`warm-up ${i} ${(performance.now() - t0).toFixed(0)} ms (own cpu ${(cpuSnapshot().ownMs - c0.ownMs).toFixed(0)} ms)`);
}
const tensorsBefore = tf.memory().numTensors;
const steps = [];
const start = performance.now();
for (;;) {
  const c0 = cpuSnapshot();
  const t0 = performance.now();
  losses.push(step());
  const ms = performance.now() - t0;
  const c1 = cpuSnapshot();
  const own = c1.ownMs - c0.ownMs;
  const foreign = Math.max(0, c1.busyMs - c0.busyMs - own);
  steps.push({ ms, ownCpuMs: own, foreignCpuMs: foreign, clean: foreign <= 0.1 * ms });
  log(`step ${steps.length - 1} ${ms.toFixed(0)} ms (own cpu ${own.toFixed(0)} ms, other processes ${foreign.toFixed(0)} ms) loss ${losses.at(-1).toFixed(4)}`);
  const clean = steps.filter((s) => s.clean).length;
  if (clean >= iters || steps.length >= iters * 2) break;
  if (steps.length >= iters && (performance.now() - start) / 1000 > maxSeconds) break;
}
if (tf.memory().numTensors !== tensorsBefore) throw new Error(`tensor leak: ${tensorsBefore} → ${tf.memory().numTensors}`);
if (!losses.every(Number.isFinite)) throw new Error(`non-finite loss: ${losses}`);

let kernels = null;
if (profile) {
  // One extra, untimed step under tf.profile: time per kernel name (wall time of each kernel call).
  const info = await tf.profile(() => {
    step();
    return [];
  });
  const byName = new Map();
  for (const k of info.kernels) {
    const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    e.calls += 1;
    byName.set(k.name, e);
  }
  kernels = [...byName].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.ms - a.ms);
  log(`profile: ${kernels.slice(0, 12).map((k) => `${k.name} ${k.ms.toFixed(0)} ms/${k.calls}`).join(", ")}`);
}

const result = {
  kernels,
  framework: "aflora",
  backend: tf.getBackend(),
  size,
  method,
  recompute,
  fastGradients: !stockGradients,
  warmup,
  iters,
  steps,
  losses: [losses[0], losses.at(-1)],
  trainableParams: counts.trainable,
  trainableWithoutHead: counts.trainableWithoutHead,
  totalParams: counts.total,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  wasmHeapMiB: tf.memory().numBytesInWASMMemory ? tf.memory().numBytesInWASMMemory / 2 ** 20 : null,
};
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
