import { describe, expect, it } from "vitest";
import type { TrainableCounts } from "@aflora/core";
import { buildRunReport } from "./run-report.js";
import type { EventRecord } from "./event-json.js";

const counts = (withoutHead: number, head = 10): TrainableCounts => ({
  total: 1000,
  trainable: withoutHead + head,
  trainableWithoutHead: withoutHead,
  byGroup: {},
});

function ev(type: string, time: number, fields: Record<string, unknown> = {}): EventRecord {
  return { type, time, ...fields } as EventRecord;
}

const start = (time: number, startStep: number) =>
  ev("run:start", time, {
    runId: "r1",
    totalSteps: 4,
    stepsPerEpoch: 2,
    epochs: 2,
    backend: "cpu",
    startStep,
    trainable: counts(100),
  });
const stepEnd = (time: number, step: number, loss: number, trainable: number) =>
  ev("step:end", time, {
    step,
    epoch: Math.floor(step / 2),
    loss,
    learningRates: { adapter: 0.01 },
    gradNorm: 1,
    trainable: counts(trainable),
  });

describe("buildRunReport", () => {
  it("computes start, end and the step-averaged trainable count (head excluded) and picks the best evaluation", () => {
    const events = [
      start(1000, 0),
      stepEnd(1100, 0, 0.9, 100),
      stepEnd(1200, 1, 0.8, 100),
      ev("eval:end", 1250, {
        step: 2,
        epoch: 0,
        metrics: { accuracy: 0.6, f1: 0.5 },
        selection: { metric: "accuracy", value: 0.6, isBest: true },
      }),
      ev("params:frozen", 1260, { step: 2, names: ["m.lora_A.weight"], reason: "aflora", trainable: counts(40) }),
      stepEnd(1300, 2, 0.7, 40),
      stepEnd(1400, 3, 0.6, 40),
      ev("eval:end", 1450, {
        step: 4,
        epoch: 1,
        metrics: { accuracy: 0.55, f1: 0.7 },
        selection: { metric: "accuracy", value: 0.55, isBest: false },
      }),
      ev("run:end", 1500, { step: 4, summary: {} }),
    ];
    const r = buildRunReport(events);
    expect(r.status).toBe("completed");
    expect(r.trainable.start).toBe(100);
    expect(r.trainable.end).toBe(40);
    // (100 + 100 + 40 + 40) / 4 optimizer steps
    expect(r.trainable.stepAveraged).toBe(70);
    expect(r.best).toMatchObject({ step: 2, metric: "accuracy", value: 0.6 });
    expect(r.final?.metrics).toEqual({ accuracy: 0.55, f1: 0.7 });
    expect(r.frozen).toEqual([{ name: "m.lora_A.weight", step: 2, reason: "aflora" }]);
    expect(r.wallTimeMs).toBe(500);
    expect(r.steps).toEqual({ done: 4, total: 4, perEpoch: 2 });
    expect(r.learningRates).toHaveLength(4);
    // Epochs count from 1 in the report, as on the progress line (events.jsonl counts from 0).
    expect(r.evaluations.map((e) => e.epoch)).toEqual([1, 2]);
    expect(r.loss.map((p) => p.epoch)).toEqual([1, 1, 2, 2]);
  });

  it("counts steps redone after a resume once and sums the wall time of both segments", () => {
    const events = [
      start(0, 0),
      stepEnd(10, 0, 0.9, 100),
      stepEnd(20, 1, 0.8, 100),
      stepEnd(30, 2, 0.75, 100), // lost: the process was killed before the next checkpoint
      start(1000, 2),
      stepEnd(1010, 2, 0.7, 100),
      stepEnd(1020, 3, 0.6, 100),
      ev("run:end", 1030, { step: 4, summary: {} }),
    ];
    const r = buildRunReport(events);
    expect(r.segments).toBe(2);
    expect(r.loss.map((p) => p.loss)).toEqual([0.9, 0.8, 0.7, 0.6]);
    expect(r.wallTimeMs).toBe(30 + 30);
    expect(r.status).toBe("completed");
  });

  it("marks a run without run:end as interrupted when told, and failed on run:error", () => {
    expect(buildRunReport([start(0, 0), stepEnd(5, 0, 1, 100)], { interrupted: true }).status).toBe("interrupted");
    const stopped = [
      start(0, 0),
      stepEnd(5, 0, 1, 100),
      ev("run:end", 6, { step: 1, summary: { stoppedEarly: true } }),
    ];
    expect(buildRunReport(stopped).status).toBe("stopped early");
    expect(buildRunReport(stopped, { interrupted: true }).status).toBe("interrupted");
    const failed = buildRunReport([start(0, 0), ev("run:error", 3, { step: 0, error: { message: "boom" } })]);
    expect(failed.status).toBe("failed");
    expect(failed.error).toBe("boom");
  });

  it("totals FLOPs per step with matrices frozen at step t costing from step t+1", () => {
    const events = [
      start(0, 0),
      stepEnd(1, 0, 1, 100),
      ev("params:frozen", 2, { step: 0, names: ["a"], reason: "x", trainable: counts(50) }),
      stepEnd(3, 1, 1, 50),
      stepEnd(4, 2, 1, 50),
    ];
    const r = buildRunReport(events, {
      parameters: [
        { name: "a", group: "adapter-matrix", size: 10, trainable: true },
        { name: "b", group: "adapter-matrix", size: 10, trainable: true },
      ],
      flopsOfStep: (_s, trainable) => 100 + 10 * trainable.size,
    });
    expect(r.flops).toEqual({ total: 120 + 110 + 110, perStep: 340 / 3, note: undefined });
  });
});
