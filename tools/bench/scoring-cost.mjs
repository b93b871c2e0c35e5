// Cost of AFLoRA's freezing scores per optimizer step, on DeBERTaV3-base-shaped adapters.
//
//   npx tsc -b packages/scheduler/tsconfig.lib.json   # builds core, scorer and scheduler
//   node tools/bench/scoring-cost.mjs [--backend wasm|cpu] [--steps 60] [--step-ms 47864]
//
// The tracked matrices are the 48 FFN projection matrices of DeBERTaV3-base with r = 4 (the
// official setup: attention A/B start frozen): per layer intermediate.dense lora_A [4, 768],
// lora_B [3072, 4] and output.dense lora_A [4, 3072], lora_B [768, 4] — 368,640 elements.
// The freezing controller is driven through trainer events exactly as in a run: step:gradients
// (the scorer reads every gradient and value once with dataSync and updates its window/EMAs),
// step:end (the cubic schedule; on decision steps the k-th smallest of all element scores and
// the per-matrix means). Decisions are forced at a threshold that freezes nothing, so every
// step keeps all 48 matrices (the worst case). Reported: mean time per step (ordinary and
// decision steps), and its share of a training step. The reference step time defaults to the
// measured tfjs-wasm DeBERTa-base AFLoRA step of /work/shared/TOOLCHAIN.md (47,864 ms, batch
// 8 × 128) and is also compared with PyTorch's 3,981 ms on the same 2 cores.
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";
import { ParameterRegistry } from "@aflora/core";
import { AfloraScorer } from "@aflora/scorer";
import { FreezingController } from "@aflora/scheduler";
import { Subject } from "rxjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const backend = arg("backend", "wasm");
const steps = Number(arg("steps", "60"));
const stepMs = Number(arg("step-ms", "47864"));
const torchStepMs = 3981;

await tf.setBackend(backend);
await tf.ready();

const r = 4;
const shapes = [];
for (let l = 0; l < 12; l++) {
  shapes.push([`deberta.encoder.layer.${l}.intermediate.dense.lora_A.weight`, [r, 768]]);
  shapes.push([`deberta.encoder.layer.${l}.intermediate.dense.lora_B.weight`, [3072, r]]);
  shapes.push([`deberta.encoder.layer.${l}.output.dense.lora_A.weight`, [r, 3072]]);
  shapes.push([`deberta.encoder.layer.${l}.output.dense.lora_B.weight`, [768, r]]);
}
const elements = shapes.reduce((s, [, sh]) => s + sh[0] * sh[1], 0);

const registry = new ParameterRegistry();
const gradients = new Map();
for (const [name, shape] of shapes) {
  registry.register(name, tf.variable(tf.randomNormal(shape, 0, 0.02), true), {
    group: "adapter-matrix",
    trainable: true,
  });
  gradients.set(name, tf.randomNormal(shape, 0, 1e-3));
}
const values = new Map(registry.list().map((p) => [p.name, p.variable]));

// deltaT = 10 like the paper; every 10th step is a decision step at threshold 0.999 (k ≥ 1, nothing freezes).
const schedule = { name: "bench", deltaT: 10, at: (t) => ({ threshold: 0.999, mask: t % 10 === 0 && t > 0 }) };
const controller = new FreezingController({ scorer: new AfloraScorer(), schedule });
const events = new Subject();
const control = { requestStop: (m) => console.error(m), requestCheckpoint() {}, stopRequested: null };
controller.attach({
  events,
  params: registry,
  control,
  run: { runId: "bench", totalSteps: 1e9, stepsPerEpoch: 1e6, epochs: 1000, seed: 0, outputDir: null },
});

const ordinary = [];
const decision = [];
for (let t = 0; t < steps; t++) {
  const start = performance.now();
  events.next({ type: "step:gradients", step: t, epoch: 0, gradients, values });
  events.next({
    type: "step:end",
    step: t,
    epoch: 0,
    loss: 0,
    learningRates: {},
    gradNorm: 0,
    trainable: registry.counts(),
  });
  const ms = performance.now() - start;
  if (t >= 5) (schedule.at(t).mask ? decision : ordinary).push(ms);
}
if (controller.failure) throw controller.failure;
if (controller.freezeRecord().length !== 0) throw new Error("benchmark setup froze a matrix");

const mean = (a) => a.reduce((s, x) => s + x, 0) / a.length;
const perStep = (mean(ordinary) * 9 + mean(decision)) / 10;
const result = {
  backend,
  matrices: shapes.length,
  elements,
  ordinaryStepMs: +mean(ordinary).toFixed(2),
  decisionStepMs: +mean(decision).toFixed(2),
  averagePerStepMs: +perStep.toFixed(2),
  shareOfTfjsStep: `${((100 * perStep) / stepMs).toFixed(3)}% of ${stepMs} ms`,
  shareOfPytorchStep: `${((100 * perStep) / torchStepMs).toFixed(2)}% of ${torchStepMs} ms`,
  // the final phase decides at every step (until everything froze)
  everyStepDecisionShareOfTfjsStep: `${((100 * mean(decision)) / stepMs).toFixed(3)}%`,
};
console.log(JSON.stringify(result, null, 2));
if ((100 * perStep) / stepMs >= 5) {
  console.error("scoring takes 5% or more of a step");
  process.exitCode = 1;
}
tf.dispose([...gradients.values()]);
registry.dispose();
