// Times BASE steps on the Trainer's backend with or without per-layer recomputation, reporting own
// CPU time, the wasm heap and peak RSS (whether a whole-graph step fits the 4 GiB wasm32 heap):
//   node --max-old-space-size=4096 tools/bench/base-step.mjs [method] [recompute: auto|true|false] [threads] [steps]
import "reflect-metadata";
import * as tf from "@tensorflow/tfjs-core";
import { describeBackend } from "@aflora/core";
import { benchBatch, setupBench } from "./src/setup.mjs";
import { SIZES } from "./src/methods.mjs";

const [method = "aflora-start", recompute = "auto", threads = "1", steps = "2"] = process.argv.slice(2);
const cfg = SIZES.base;
const { vars, optimizer, lossAndGradients, selection } = await setupBench({
  method,
  cfg,
  threads: Number(threads),
  recompute: recompute === "auto" ? "auto" : recompute === "true",
});
process.stdout.write(`base ${method} on ${describeBackend(selection)}, recompute ${recompute}\n`);
const batch = benchBatch(cfg);
const heapGiB = () => (tf.backend().wasm?.HEAPU8?.buffer.byteLength ?? NaN) / 2 ** 30;
for (let i = 0; i < Number(steps); i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { loss, grads } = lossAndGradients(batch, vars);
  optimizer.step(grads, 1);
  const l = loss.dataSync()[0];
  tf.dispose([loss, ...grads.values()]);
  const c = process.cpuUsage(c0);
  const rss = process.resourceUsage().maxRSS / 2 ** 20;
  process.stdout.write(
    `step ${i} loss ${l.toFixed(4)} wall ${(performance.now() - t0).toFixed(0)} ms, own CPU ${((c.user + c.system) / 1000).toFixed(0)} ms, ` +
      `wasm heap ${heapGiB().toFixed(2)} GiB, peak RSS ${rss.toFixed(2)} GiB\n`,
  );
}
