import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { FromStartSchedule } from "./from-start-schedule.js";
import { FreezingController } from "../freezing-controller.js";
import { FixedScorer, Harness, useCpu } from "../../test/harness.js";

beforeAll(useCpu);

describe("from-start schedule (ELoRA-like)", () => {
  it("freezes every projection matrix at run:start, before the first update", () => {
    const before = tf.memory().numTensors;
    const scorer = new FixedScorer();
    const controller = new FreezingController({ scorer, schedule: new FromStartSchedule() });
    const h = new Harness(controller, [
      { name: "a.lora_A", shape: [2, 2], group: "adapter-matrix" },
      { name: "a.lora_B", shape: [2, 2], group: "adapter-matrix" },
      { name: "a.lora_d", shape: [2], group: "adapter-vector" },
      { name: "classifier.weight", shape: [4], group: "head" },
    ]).start();
    expect(h.trainableMatrices()).toEqual([]);
    expect(h.registry.get("a.lora_A").frozenAt).toEqual({ step: 0, reason: "schedule:from-start" });
    h.step(0);
    expect(scorer.updates).toEqual([{ step: 0, names: [] }]);
    // nothing left to freeze: the freezer stops at once; only the vector trains (head excluded)
    expect(controller.accounting()).toEqual({
      accumulated: 2 * 20,
      lastStep: 0,
      stopped: true,
      stopStep: 0,
      averageTrainableParams: 2,
    });
    h.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("does not freeze again on a resumed run (the checkpoint's flags are authoritative)", () => {
    const controller = new FreezingController({ scorer: new FixedScorer(), schedule: new FromStartSchedule() });
    const h = new Harness(controller, [{ name: "a.lora_A", shape: [2, 2], group: "adapter-matrix" }]).start(5);
    expect(h.trainableMatrices()).toEqual(["a.lora_A"]);
    h.dispose();
  });
});
