import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { eventLogRecord, eventLogLevel } from "./event-log.js";
import type { TrainerEvent } from "./events.js";
import { TrainingDivergedError } from "./non-finite.js";
import { Trainer } from "./trainer.js";
import { freezeAt, tinySetup } from "../test/harness.js";

describe("event log levels", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it('"info" keeps one small record per step and drops gradient name lists; "debug" keeps everything', async () => {
    const { model, options } = tinySetup({ withEvaluator: true, epochs: 3, plugins: [freezeAt(2, ["hidden.weight"])] });
    const trainer = new Trainer(options);
    const info: Record<string, unknown>[] = [];
    const debug: Record<string, unknown>[] = [];
    trainer.events.subscribe((e) => {
      const i = eventLogRecord(e, "info");
      if (i) info.push(JSON.parse(JSON.stringify(i)));
      debug.push(JSON.parse(JSON.stringify(eventLogRecord(e, "debug"))));
    });
    await trainer.run();
    expect(info.map((r) => r.type)).not.toContain("step:gradients");
    expect(info.map((r) => r.type)).not.toContain("step:start");
    expect(info.filter((r) => r.type === "step:end")).toHaveLength(12);
    expect(debug.filter((r) => r.type === "step:gradients")[0]).toMatchObject({
      step: 0,
      variables: ["hidden.weight", "hidden.bias", "classifier.weight", "classifier.bias"],
    });
    const stepEnd = info.find((r) => r.type === "step:end")!;
    expect(Object.keys(stepEnd.trainable as object).sort()).toEqual(["total", "trainable", "trainableWithoutHead"]);
    expect((debug.find((r) => r.type === "step:end")!.trainable as { byGroup?: unknown }).byGroup).toBeDefined();
    expect(info.find((r) => r.type === "params:frozen")).not.toHaveProperty("details");
    expect(debug.find((r) => r.type === "params:frozen")).toHaveProperty("details", { score: 0.5 });
    const perStep = info.filter((r) => r.type === "step:end").map((r) => JSON.stringify(r).length);
    expect(Math.max(...perStep)).toBeLessThan(400);
    const bytes = (rs: unknown[]) => rs.map((r) => JSON.stringify(r).length + 1).reduce((a, b) => a + b, 0);
    expect(bytes(info)).toBeLessThan(bytes(debug));
    model.dispose();
  });

  it("keeps a diverged error's name, term and status", () => {
    const e: TrainerEvent = {
      type: "run:error",
      step: 3,
      status: "diverged",
      error: new TrainingDivergedError(3, "loss", "training diverged at step 3"),
    };
    expect(eventLogRecord(e)).toMatchObject({
      type: "run:error",
      step: 3,
      status: "diverged",
      error: { name: "TrainingDivergedError", term: "loss", message: "training diverged at step 3" },
    });
    expect(eventLogLevel("step:gradients")).toBe("debug");
    expect(eventLogLevel("run:start")).toBe("info");
  });
});
