// One data-parallel replica (worker thread, own wasm backend): computes the gradients of its
// shard of the batch, receives the averaged gradients, applies AdamW (every replica applies
// the same update to the same weights, so only gradients cross threads).
import "reflect-metadata";
import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import { batchOf, setupBench } from "./setup.mjs";

const { method, cfg, shard, stockGradients, recompute, model: kind } = workerData;
const { vars, optimizer, counts, lossAndGradients } = await setupBench({
  method,
  cfg,
  stockGradients,
  model: kind,
  recompute,
});
const batch = batchOf(shard.inputIds, shard.labels, cfg);
const names = [...vars.keys()];

parentPort.on("message", (msg) => {
  if (msg.type === "grads") {
    const { loss, grads } = lossAndGradients(batch, vars);
    const l = loss.dataSync()[0];
    const arrays = names.map((n) => new Float32Array(grads.get(n).dataSync())); // copies: never transfer wasm memory
    tf.dispose([loss, ...grads.values()]);
    parentPort.postMessage(
      { type: "grads", loss: l, arrays },
      arrays.map((a) => a.buffer),
    );
  } else if (msg.type === "apply") {
    const grads = new Map(names.map((n, i) => [n, tf.tensor(msg.arrays[i], vars.get(n).shape)]));
    optimizer.step(grads, 1);
    tf.dispose([...grads.values()]);
    parentPort.postMessage({ type: "applied", numTensors: tf.memory().numTensors });
  }
});
parentPort.postMessage({ type: "ready", counts });
