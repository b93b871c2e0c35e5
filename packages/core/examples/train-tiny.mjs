// A complete aflora-core run in plain Node (after `npx tsc -b packages/core/tsconfig.lib.json`):
// a softmax classifier on 64 synthetic points, AdamW with a head group, warmup, clipping,
// evaluation every epoch, checkpoints, and the loss-logger example plugin.
//   node packages/core/examples/train-tiny.mjs
import * as tf from "@tensorflow/tfjs-core";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LossLogger, ParameterRegistry, Rng, Trainer, paperParamGroups, selectBackend } from "@aflora/core";

const backend = await selectBackend(); // tfjs-node-gpu → tfjs-node → wasm → cpu, or AFLORA_BACKEND
const seed = 42;
const rng = new Rng(seed);

// The model: named variables in a ParameterRegistry plus a forward-with-loss.
const params = new ParameterRegistry();
const init = (shape) =>
  tf.tidy(() =>
    tf.variable(
      tf.tensor(
        rng.uniformArray(
          shape.reduce((a, b) => a * b),
          -0.5,
          0.5,
        ),
        shape,
      ),
    ),
  );
params.register("classifier.weight", init([2, 2]), { group: "head", trainable: true });
params.register("classifier.bias", init([2]), { group: "head", trainable: true });
const logits = (x) =>
  tf.add(tf.matMul(x, params.get("classifier.weight").variable), params.get("classifier.bias").variable);
const model = {
  params,
  lossAndGradients(batch, vars) {
    const names = [...vars.keys()];
    const { value, grads } = tf.variableGrads(
      () =>
        tf.tidy(() =>
          tf.losses.softmaxCrossEntropy(
            tf.oneHot(tf.tensor1d(batch.y, "int32"), 2),
            logits(tf.tensor2d(batch.x, [batch.y.length, 2])),
          ),
        ),
      names.map((n) => vars.get(n)),
    );
    return { loss: value, grads: new Map(names.map((n) => [n, grads[vars.get(n).name]])) };
  },
  predict: (batch) => tf.tidy(() => logits(tf.tensor2d(batch.x, [batch.y.length, 2]))),
};

// Data: label 1 when x0 + x1 > 0; batches of 8, reshuffled per epoch from the seed.
const points = rng.normalArray(128);
const labels = Int32Array.from({ length: 64 }, (_, i) => (points[2 * i] + points[2 * i + 1] > 0 ? 1 : 0));
const batchOf = (idx) => ({
  x: Float32Array.from(idx.flatMap((i) => [points[2 * i], points[2 * i + 1]])),
  y: Int32Array.from(idx, (i) => labels[i]),
});
const train = {
  batchesPerEpoch: 8,
  *epoch(e) {
    const order = new Rng(seed).fork(`shuffle:${e}`).shuffle([...Array(64).keys()]);
    for (let b = 0; b < 8; b++) yield batchOf(order.slice(8 * b, 8 * b + 8));
  },
};
const evaluator = {
  selectionMetric: "accuracy",
  evaluate(m) {
    const all = batchOf([...Array(64).keys()]);
    const pred = tf.tidy(() => tf.argMax(m.predict(all), 1).dataSync());
    return { accuracy: pred.filter((p, i) => p === all.y[i]).length / 64 };
  },
};

const trainer = new Trainer({
  model,
  train,
  evaluator,
  epochs: 3,
  optimizer: { lr: 0.1, weightDecay: 0.01, groups: paperParamGroups({ headLr: 0.2, weightDecay: 0.01 }) },
  warmupRatio: 0.1,
  maxGradNorm: 1.0,
  checkpointDir: mkdtempSync(join(tmpdir(), "aflora-example-")),
  seed,
  plugins: [new LossLogger({ every: 8 })],
});
trainer.events.subscribe((e) => {
  if (e.type === "eval:end")
    console.log(`eval after step ${e.step}: accuracy ${e.metrics.accuracy}${e.selection?.isBest ? " (best)" : ""}`);
  if (e.type === "checkpoint:saved") console.log(`checkpoint ${e.path}`);
});
const summary = await trainer.run();
console.log(
  `backend ${backend}; ${summary.steps} steps; best ${summary.bestMetric?.metric} ${summary.bestMetric?.value}`,
);
