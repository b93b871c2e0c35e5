import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { globalNorm } from "./optim/clip.js";
import { Trainer } from "./trainer.js";
import { tinySetup } from "../test/harness.js";
import { IN, type MlpBatch } from "../test/tiny-mlp.js";

function concat(a: MlpBatch, b: MlpBatch): MlpBatch {
  const x = new Float32Array((a.n + b.n) * IN);
  x.set(a.x);
  x.set(b.x, a.n * IN);
  const y = new Int32Array(a.n + b.n);
  y.set(a.y);
  y.set(b.y, a.n);
  return { x, y, n: a.n + b.n };
}

describe("gradient accumulation and clipping in the Trainer", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("step:gradients carries the mean of the micro-batch gradients once per optimizer step; step:end the norm before clipping", async () => {
    const { model, options } = tinySetup({ gradientAccumulation: 2, maxGradNorm: 0.01, epochs: 1 });
    // Reference: the mean loss over the two micro-batches of step 0 together (equal sizes), on the initial weights.
    const [b0, b1] = [...options.train.epoch(0)].slice(0, 2) as [MlpBatch, MlpBatch];
    const ref = model.lossAndGradients(concat(b0, b1), model.params.trainableVariables());
    const want = new Map([...ref.grads].map(([n, g]) => [n, Array.from(g.dataSync())]));
    const wantNorm = globalNorm(ref.grads);
    const wantLoss = ref.loss.dataSync()[0]!;
    ref.loss.dispose();
    for (const g of ref.grads.values()) g.dispose();

    const trainer = new Trainer(options);
    const got: Map<string, number[]>[] = [];
    const ends: { loss: number; gradNorm: number }[] = [];
    trainer.events.subscribe((e) => {
      if (e.type === "step:gradients")
        got.push(new Map([...e.gradients].map(([n, g]) => [n, Array.from(g.dataSync())])));
      if (e.type === "step:end") ends.push({ loss: e.loss, gradNorm: e.gradNorm });
    });
    await trainer.run();
    expect(got).toHaveLength(2);
    for (const [n, w] of want) got[0]!.get(n)!.forEach((v, i) => expect(Math.abs(v - w[i]!)).toBeLessThan(1e-6));
    expect(ends[0]!.loss).toBeCloseTo(wantLoss, 6);
    expect(ends[0]!.gradNorm).toBeCloseTo(wantNorm, 6);
    expect(ends[0]!.gradNorm).toBeGreaterThan(0.01); // so clipping was active and the event still saw the unclipped gradients
    model.dispose();
  });

  it("the last accumulation of an epoch may be short and still makes a step", async () => {
    const { model, options } = tinySetup({ gradientAccumulation: 3, epochs: 2 });
    const trainer = new Trainer(options);
    expect(trainer.runInfo).toMatchObject({ stepsPerEpoch: 2, totalSteps: 4 });
    const steps: number[] = [];
    trainer.events.subscribe((e) => e.type === "step:end" && steps.push(e.step));
    expect((await trainer.run()).steps).toBe(4);
    expect(steps).toEqual([0, 1, 2, 3]);
    model.dispose();
  });
});
