import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  ParameterRegistry,
  Trainer,
  type BatchSource,
  type Evaluator,
  type LossAndGradients,
  type TrainableModel,
  type TrainerPlugin,
} from "@aflora/core";
import { readEventFile, scalarSeries } from "./event-file-reader.js";
import { TensorBoardReporter } from "./tensorboard-reporter.js";
import { TAGS } from "./tags.js";

const A = "deberta.encoder.layer.0.intermediate.dense.lora_A.weight";
const B = "deberta.encoder.layer.0.intermediate.dense.lora_B.weight";

interface Batch {
  x: number[][];
  y: number[];
}

/** y ≈ x·A·B: two adapter-named matrices and a head, enough for the Trainer and the heatmap. */
class TinyAdapterModel implements TrainableModel<Batch> {
  readonly params = new ParameterRegistry();
  constructor() {
    const v = (values: number[], shape: number[]) => tf.tidy(() => tf.variable(tf.tensor(values, shape)));
    this.params.register(A, v([0.1, -0.2, 0.3, 0.05], [2, 2]), { group: "adapter-matrix", trainable: true });
    this.params.register(B, v([0.2, -0.1], [2, 1]), { group: "adapter-matrix", trainable: true });
    this.params.register("classifier.bias", v([0], [1]), { group: "head", trainable: true });
  }
  private out(batch: Batch): tf.Tensor {
    const get = (n: string) => this.params.get(n).variable;
    return tf.add(tf.matMul(tf.matMul(tf.tensor2d(batch.x), get(A)), get(B)), get("classifier.bias"));
  }
  lossAndGradients(batch: Batch, vars: ReadonlyMap<string, tf.Variable>): LossAndGradients {
    const names = [...vars.keys()];
    const { value, grads } = tf.variableGrads(
      () =>
        tf.tidy(
          () => tf.mean(tf.square(tf.sub(this.out(batch), tf.tensor2d(batch.y, [batch.y.length, 1])))) as tf.Scalar,
        ),
      names.map((n) => vars.get(n)!),
    );
    return { loss: value, grads: new Map(names.map((n) => [n, grads[vars.get(n)!.name]!])) };
  }
  predict(batch: Batch): tf.Tensor {
    return tf.tidy(() => this.out(batch));
  }
}

const data: Batch = {
  x: [
    [1, 0],
    [0, 1],
    [1, 1],
  ],
  y: [0.5, -0.5, 0],
};
const train: BatchSource<Batch> = { batchesPerEpoch: 2, epoch: () => [data, data] };
const evaluator: Evaluator<Batch> = { selectionMetric: "neg_mse", evaluate: () => ({ neg_mse: -0.25 }) };
/** Freezes A at the end of step index 1, through the parameter registry, as the freezing controller does. */
const freezeA: TrainerPlugin = {
  name: "freeze-a",
  attach(ctx) {
    const sub = ctx.events.subscribe((e) => {
      if (e.type === "step:end" && e.step === 1) ctx.params.freeze([A], "test");
    });
    return () => sub.unsubscribe();
  },
};

const root = mkdtempSync(join(tmpdir(), "tb-trainer-"));
beforeAll(async () => {
  await tf.setBackend("cpu");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

it("records a real Trainer run: HF tags at HF's step, the freeze counted, a heatmap per evaluation", async () => {
  const before = tf.memory().numTensors;
  const model = new TinyAdapterModel();
  const reporter = new TensorBoardReporter({ logDir: "runs", heatmap: true });
  const trainer = new Trainer<Batch>({
    model,
    train,
    evaluator,
    epochs: 2,
    evalEvery: 2,
    seed: 1,
    optimizer: { lr: 0.01, weightDecay: 0 },
    plugins: [reporter, freezeA],
    runInfo: { runId: "tiny", outputDir: root },
  });
  const losses: number[] = [];
  trainer.events.subscribe((e) => e.type === "step:end" && losses.push(e.loss));
  await trainer.run();
  await reporter.flushed();
  model.params.dispose();
  expect(readdirSync(join(root, "runs"))).toHaveLength(1);
  const events = readEventFile(reporter.path!);
  const s = scalarSeries(events);
  expect(s.get(TAGS.loss)!.map((p) => [p.step, p.value])).toEqual(losses.map((l, i) => [i + 1, Math.fround(l)]));
  expect(s.get(TAGS.frozenMatrices)!.map((p) => p.value)).toEqual([0, 1, 1, 1]);
  expect(s.get(TAGS.trainableParameters)!.map((p) => p.value)).toEqual([6, 6, 2, 2]);
  expect(s.get("eval/neg_mse")!.map((p) => [p.step, p.value])).toEqual([
    [2, -0.25],
    [4, -0.25],
  ]);
  const images = events.filter((e) => e.summary?.value.some((v) => v.tag === TAGS.freezingHeatmap)).map((e) => e.step);
  expect(images.sort()).toEqual([2, 4]);
  expect(tf.memory().numTensors).toBe(before);
});
