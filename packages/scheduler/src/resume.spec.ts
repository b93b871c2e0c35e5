import * as tf from "@tensorflow/tfjs-core";
import { PluginRegistry, type Json } from "@aflora/core";
import { registerScorers } from "@aflora/scorer";
import { beforeAll, describe, expect, it } from "vitest";
import { createFreezingController } from "./create-freezing-controller.js";
import type { FreezingController, FreezingStepDecision } from "./freezing-controller.js";
import { registerSchedules } from "./register.js";
import { freezingConfigOf } from "./repro/replay-scenario.js";
import { ScenarioDriver, loadScenario } from "../test/fixture-driver.js";
import { useCpu } from "../test/harness.js";

beforeAll(useCpu);

const plugins = registerSchedules(registerScorers(new PluginRegistry()));

function summary(d: FreezingStepDecision) {
  return {
    step: d.step,
    skipped: d.skipped,
    threshold: d.threshold,
    maskThreshold: d.maskThreshold,
    frozen: d.frozen,
    accumulated: d.accumulated,
    lastStep: d.lastStep,
  };
}

function record(c: FreezingController, decisions: FreezingStepDecision[]) {
  c.decisions.subscribe((d) => decisions.push(d));
  return c;
}

describe("checkpoint resume (FreezingController as core Stateful)", () => {
  // mrpc_defaults freezes at steps 20, 30, 40 and stops at 50; interrupt at 35, mid-window (deltaT 10) and mid-schedule.
  it.each([35, 20, 47])("resuming after step %i gives the same freezes as an uninterrupted run", (cut) => {
    const before = tf.memory().numTensors;
    const s = loadScenario("mrpc_defaults.json");
    const config = freezingConfigOf(s);

    const straightDecisions: FreezingStepDecision[] = [];
    const straight = new ScenarioDriver(
      s,
      record(createFreezingController(config, { plugins }), straightDecisions),
    ).start();
    straight.run(0, s.steps.length);

    const first = new ScenarioDriver(s, createFreezingController(config, { plugins })).start();
    first.run(0, cut + 1);
    const saved = first.controller.saveState();
    const flags = first.registry.flags();
    // what a checkpoint keeps: JSON text and float32 tensors
    const json = JSON.parse(JSON.stringify(saved.json)) as Json;
    const tensors = Object.fromEntries(
      Object.entries(saved.tensors).map(([k, t]) => [k, { data: Float32Array.from(t.data), shape: [...t.shape] }]),
    );
    first.dispose();

    const resumedDecisions: FreezingStepDecision[] = [];
    const controller = record(createFreezingController(config, { plugins }), resumedDecisions);
    const resumed = new ScenarioDriver(s, controller);
    resumed.registry.restoreFlags(flags);
    resumed.restoreValuesBefore(cut + 1);
    controller.loadState({ json, tensors });
    resumed.start(cut + 1);
    resumed.run(cut + 1, s.steps.length);

    expect(controller.freezeRecord()).toEqual(straight.controller.freezeRecord());
    expect(controller.accounting()).toEqual(straight.controller.accounting());
    expect(controller.accounting().averageTrainableParams).toBe(s.summary.avg_train_params);
    expect(resumedDecisions.map(summary)).toEqual(straightDecisions.slice(cut + 1).map(summary));
    straight.dispose();
    resumed.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("refuses state written with another scorer or schedule", () => {
    const s = loadScenario("mrpc_defaults.json");
    const saved = createFreezingController(freezingConfigOf(s), { plugins }).saveState();
    const other = createFreezingController({ scorer: { name: "magnitude" }, schedule: { name: "cubic" } }, { plugins });
    expect(() => other.loadState({ json: saved.json, tensors: saved.tensors })).toThrow(
      'freezing state: the checkpoint was written with scorer "aflora" but this run uses "magnitude"',
    );
  });
});
