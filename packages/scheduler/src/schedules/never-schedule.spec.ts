import * as tf from "@tensorflow/tfjs-core";
import { AfloraScorer } from "@aflora/scorer";
import { beforeAll, describe, expect, it } from "vitest";
import { NeverSchedule } from "./never-schedule.js";
import { FreezingController } from "../freezing-controller.js";
import { Harness, useCpu } from "../../test/harness.js";

beforeAll(useCpu);

describe("never schedule", () => {
  it("keeps every projection matrix trainable for the whole run", () => {
    const before = tf.memory().numTensors;
    const controller = new FreezingController({ scorer: new AfloraScorer(), schedule: new NeverSchedule() });
    const h = new Harness(controller, [
      { name: "a.lora_A", shape: [1, 3], group: "adapter-matrix" },
      { name: "a.lora_B", shape: [3, 1], group: "adapter-matrix" },
    ]).start();
    for (let t = 0; t < 20; t++) h.step(t);
    expect(h.trainableMatrices()).toEqual(["a.lora_A", "a.lora_B"]);
    expect(controller.freezeRecord()).toEqual([]);
    expect(controller.lastDecision).toMatchObject({ step: 19, threshold: 1, mask: false, frozen: [] });
    expect(controller.accounting().averageTrainableParams).toBeNull();
    h.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
