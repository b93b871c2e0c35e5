import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { PluginRegistry, Trainer, checkpointName } from "@aflora/core";
import { decoderScorerDefinitions } from "@aflora/scorer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FixedBatches, TinyAdapterModel } from "../../test/tiny-adapter-model.js";
import { useCpu } from "../../test/harness.js";
import { createDecoderFreezingController, decoderScheduleDefinitions } from "./definitions.js";

const plugins = new PluginRegistry();
for (const d of [...decoderScorerDefinitions, ...decoderScheduleDefinitions]) plugins.register(d);

const tmp = mkdtempSync(join(tmpdir(), "aflora-decoder-freezing-"));
const CONFIG = {
  scorer: { name: "aflora-decoder", deltaT: 2 },
  schedule: { name: "quadratic-fraction", initialWarmup: 0.3, finalWarmup: 0.3 },
};

beforeAll(useCpu);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("the decoder freezing controller inside the core Trainer", () => {
  it("takes T from run:start, decides during step:gradients (freezes stamped with that step) and stops lazily", async () => {
    const before = tf.memory().numTensors;
    const model = new TinyAdapterModel(3);
    // 10 epochs × 4 batches, no accumulation: T = 40; warm-up t ≤ 12, ramp masks at 14, 16, …, 28, final phase from 29.
    const controller = createDecoderFreezingController(
      {
        scorer: { name: "aflora-decoder", deltaT: 2 },
        schedule: { name: "quadratic-fraction", initialWarmup: 0.3, finalWarmup: 0.3 },
      },
      { plugins },
    );
    const t = new Trainer({
      model,
      train: new FixedBatches(4),
      epochs: 10,
      optimizer: { lr: 0.05 },
      seed: 5,
      plugins: [controller],
    });
    const frozenEvents: { step: number; names: string[] }[] = [];
    const trainableAtStart = new Map<number, number>();
    t.events.subscribe((e) => {
      if (e.type === "params:frozen") frozenEvents.push({ step: e.step, names: e.names });
      if (e.type === "step:start")
        trainableAtStart.set(e.step, model.params.names({ group: "adapter-matrix", trainable: true }).length);
    });
    await t.run();
    const record = controller.freezeRecord();
    expect(record.map((r) => r.name).sort()).toEqual(["l0.lora_A", "l0.lora_B", "l1.lora_A", "l1.lora_B"]);
    for (const r of record) {
      expect(r.step === 29 || (r.step >= 14 && r.step <= 28 && r.step % 2 === 0), `${r.name} froze at ${r.step}`).toBe(
        true,
      );
      expect(model.params.get(r.name).frozenAt?.step).toBe(r.step); // frozen while step r.step ran
      expect(trainableAtStart.get(r.step + 1)).toBeLessThan(trainableAtStart.get(r.step)!);
    }
    expect(frozenEvents.flatMap((e) => e.names).sort()).toEqual(record.map((r) => r.name).sort());
    const acc = controller.accounting();
    expect(acc.stopped).toBe(true);
    expect(acc.stopStep).toBeGreaterThan(Math.max(...record.map((r) => r.step)));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("resumes from a mid-ramp checkpoint with the same freezes and accounting as an uninterrupted run", async () => {
    const dir = join(tmp, "ckpt");
    const run = (model: TinyAdapterModel, extra: Record<string, unknown>) => {
      const controller = createDecoderFreezingController(CONFIG, { plugins });
      return {
        controller,
        done: new Trainer({
          model,
          train: new FixedBatches(4),
          epochs: 10,
          optimizer: { lr: 0.05 },
          seed: 5,
          plugins: [controller],
          ...extra,
        }).run(),
      };
    };
    const straightModel = new TinyAdapterModel(3);
    const straight = run(straightModel, { checkpointDir: dir, checkpointEvery: 15 });
    await straight.done;
    const resumedModel = new TinyAdapterModel(42);
    const resumed = run(resumedModel, { resumeFrom: join(dir, checkpointName(15)) });
    await resumed.done;
    expect(resumed.controller.freezeRecord()).toEqual(straight.controller.freezeRecord());
    expect(resumed.controller.accounting()).toEqual(straight.controller.accounting());
    straightModel.dispose();
    resumedModel.dispose();
  });
});
