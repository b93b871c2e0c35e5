// Verifies from step times that freezing removes weight-gradient work: full fine-tuning for
// a few steps, then every encoder W0 kernel is frozen in the ParameterRegistry (as a
// freezing plugin would), and the same loop — which asks the registry for the trainable
// set every step, as the trainer does — continues. Prints "RESULT {json}".
import "reflect-metadata";
import * as tf from "@tensorflow/tfjs-core";
import { BENCH_SHAPES, stepFlops } from "@aflora/metrics";
import { benchBatch, setupBench } from "./setup.mjs";

const { size, cfg, iters, model: kind = "encoder" } = JSON.parse(process.argv[2]);
const log = (s) => process.stderr.write(`[aflora freeze-check ${size}] ${s}\n`);
const { model, optimizer, lossAndGradients } = await setupBench({ method: "full", cfg, model: kind, recompute: false });
const batch = benchBatch(cfg);

function timeSteps(n, label) {
  const cpu = [];
  const wall = [];
  for (let i = 0; i < n + 1; i++) {
    const vars = model.params.trainableVariables();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const { loss, grads } = lossAndGradients(batch, vars);
    optimizer.step(grads, 1);
    loss.dataSync();
    tf.dispose([loss, ...grads.values()]);
    const c = process.cpuUsage(c0);
    if (i === 0) continue; // first step after a change: warm-up
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
    log(`${label} step ${i - 1}: ${wall.at(-1).toFixed(0)} ms (own cpu ${cpu.at(-1).toFixed(0)} ms)`);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return { medianMs: median(wall), medianCpuMs: median(cpu), trainable: model.params.counts().trainable };
}

const before = timeSteps(iters, "all W0 trainable");
const kernels = model.params
  .names()
  .filter((n) => model.params.get(n).trainable && /encoder\.layer\.\d+\..*\.weight$/.test(n));
model.params.freeze(kernels, "freeze-check");
const after = timeSteps(iters, `${kernels.length} W0 kernels frozen`);

const full = stepFlops(BENCH_SHAPES[size], { kind: "full" });
const headOnly = stepFlops(BENCH_SHAPES[size], { kind: "none" });
const removed = full.backwardWeight - headOnly.backwardWeight; // the encoder's dW matmuls
process.stdout.write(
  `RESULT ${JSON.stringify({
    size,
    frozenKernels: kernels.length,
    before,
    after,
    cpuRatio: before.medianCpuMs / after.medianCpuMs,
    flopsBefore: full.total,
    flopsAfter: full.total - removed,
    flopsRatio: full.total / (full.total - removed),
  })}\n`,
);
