import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it, beforeAll } from "vitest";
import { AtEpochSchedule } from "./at-epoch-schedule.js";
import { FreezingController } from "../freezing-controller.js";
import { FixedScorer, Harness, useCpu } from "../../test/harness.js";

beforeAll(useCpu);

describe("at-epoch schedule (the authors' freeze_by_epoch)", () => {
  const ctx = { totalSteps: 50, stepsPerEpoch: 5, epochs: 10 };

  it("freezes after the last step of epoch N, or of the first epoch reaching N·epochs when N < 1", () => {
    expect(new AtEpochSchedule(2).freezeStep(ctx)).toBe(9);
    expect(new AtEpochSchedule(2.5).freezeStep(ctx)).toBe(14); // state.epoch 3.0 is the first ≥ 2.5
    expect(new AtEpochSchedule(0.5).freezeStep(ctx)).toBe(24); // 0.5 · 10 epochs = 5
    // as in the reference, 0.28 · 25 = 7.000000000000001 in float64, so epoch 7 does not reach it: epoch 8
    expect(new AtEpochSchedule(0.28).freezeStep({ totalSteps: 250, stepsPerEpoch: 10, epochs: 25 })).toBe(79);
    expect(new AtEpochSchedule(2).at(8, ctx)).toEqual({ threshold: 1, mask: false, freezeAll: false });
    expect(new AtEpochSchedule(2).at(9, ctx)).toEqual({ threshold: 0, mask: false, freezeAll: true });
  });

  it("makes the controller freeze every projection matrix at that step:end, then stop", () => {
    const before = tf.memory().numTensors;
    const controller = new FreezingController({ scorer: new FixedScorer(), schedule: new AtEpochSchedule(1) });
    const h = new Harness(
      controller,
      [
        { name: "a.lora_A", shape: [2, 2], group: "adapter-matrix" },
        { name: "a.lora_B", shape: [2, 2], group: "adapter-matrix" },
        { name: "a.lora_d", shape: [2], group: "adapter-vector" },
      ],
      { totalSteps: 20, stepsPerEpoch: 5, epochs: 4 },
    ).start();
    for (let t = 0; t < 4; t++) h.step(t);
    expect(h.trainableMatrices()).toHaveLength(2);
    h.step(4);
    expect(h.trainableMatrices()).toEqual([]);
    expect(controller.freezeRecord()).toEqual([
      { name: "a.lora_A", step: 4, score: null, threshold: 0, maskThreshold: null, reason: "schedule:at-epoch" },
      { name: "a.lora_B", step: 4, score: null, threshold: 0, maskThreshold: null, reason: "schedule:at-epoch" },
    ]);
    h.step(5);
    // 10 trainable for 4 steps (0→4), then 2 for the remaining 16
    expect(controller.accounting()).toEqual({
      accumulated: 10 * 4 + 2 * 16,
      lastStep: 4,
      stopped: true,
      stopStep: 5,
      averageTrainableParams: 3.6,
    });
    h.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
