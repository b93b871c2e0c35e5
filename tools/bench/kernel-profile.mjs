// Per-kernel CPU time of the bench's training step (core's createKernelProfiler), for the kernel
// shares in README.md:  node tools/bench/kernel-profile.mjs [method] [backend] [threads] [size]
// e.g. node tools/bench/kernel-profile.mjs aflora-start native 1 small
import "reflect-metadata";
import * as tf from "@tensorflow/tfjs-core";
import { createKernelProfiler, describeBackend, renderKernelProfile } from "@aflora/core";
import { benchBatch, setupBench } from "./src/setup.mjs";
import { SIZES } from "./src/methods.mjs";

const [method = "aflora-start", backend = "auto", threads = "1", size = "small"] = process.argv.slice(2);
if (!SIZES[size]) throw new Error(`kernel-profile: unknown size "${size}" (known: ${Object.keys(SIZES).join(", ")})`);
const cfg = SIZES[size];
const { vars, optimizer, lossAndGradients, selection } = await setupBench({
  method,
  cfg,
  backend,
  threads: Number(threads),
  recompute: "auto",
});
const batch = benchBatch(cfg);
const step = () => {
  const { loss, grads } = lossAndGradients(batch, vars);
  optimizer.step(grads, 1);
  loss.dataSync();
  tf.dispose([loss, ...grads.values()]);
};
const profiler = createKernelProfiler({ steps: 2, skip: 1, clock: "cpu" });
for (let i = 0; i < 3; i++) {
  profiler.stepStart();
  step();
  profiler.stepEnd();
}
process.stdout.write(
  `${size} ${method} on ${describeBackend(selection)}\n\n${renderKernelProfile(profiler.profile())}`,
);
