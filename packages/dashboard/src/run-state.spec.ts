import { describe, expect, it } from "vitest";
import { buildRunReport, type EventRecord } from "@aflora/metrics";
import { RunState } from "./run-state.js";
import { stepLines } from "./test-runs.js";

const parse = (text: string) =>
  text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EventRecord);
const start = (startStep: number, time: number) =>
  JSON.stringify({
    type: "run:start",
    runId: "r",
    totalSteps: 8,
    stepsPerEpoch: 8,
    epochs: 1,
    backend: "cpu",
    startStep,
    time,
  });
const evalLine = (step: number, accuracy: number, time: number) =>
  JSON.stringify({
    type: "eval:end",
    step,
    epoch: 0,
    metrics: { accuracy },
    selection: { metric: "accuracy", value: accuracy, isBest: false },
    time,
  });

/** A run interrupted after step 5 and resumed from its checkpoint at step 4: steps 4 and 5 run twice. */
const RESUMED = [
  start(0, 1000),
  stepLines(0, 6, 1000, { trainable: (s) => (s < 3 ? 800 : 400), loss: (s) => s }).trimEnd(),
  evalLine(4, 0.6, 1450),
  evalLine(6, 0.9, 1650),
  JSON.stringify({ type: "params:frozen", step: 5, names: ["m5"], reason: "x", time: 1590 }),
  JSON.stringify({ type: "params:frozen", step: 2, names: ["m2"], reason: "x", time: 1290 }),
  start(4, 5000),
  stepLines(4, 8, 5000 - 400, { trainable: () => 200, loss: (s) => 10 + s }).trimEnd(),
  evalLine(8, 0.7, 5500),
  JSON.stringify({ type: "run:end", step: 8, summary: { status: "completed" }, time: 5600 }),
].join("\n");

describe("RunState", () => {
  const state = new RunState();
  for (const e of parse(RESUMED)) state.apply(e);
  const report = buildRunReport(parse(RESUMED));

  it("keeps what a resume superseded out, as report.json does", () => {
    expect(state.series.steps).toEqual(report.loss.map((p) => p.step));
    expect(state.series.loss).toEqual(report.loss.map((p) => p.loss));
    expect(state.series.trainable).toEqual(report.trainable.series.map((p) => p.trainable));
    expect(state.evals.map((e) => e.step)).toEqual(report.evaluations.map((e) => e.step));
    expect([...state.frozen.keys()]).toEqual(report.frozen.map((f) => f.name));
  });

  it("computes the numbers report.json holds: average trainable, best, wall time", () => {
    expect(state.averageTrainable).toBe(report.trainable.stepAveraged);
    expect(state.best).toEqual({ metric: "accuracy", value: report.best!.value, step: report.best!.step });
    expect(state.wallTimeMs).toBe(report.wallTimeMs);
    expect(state.status(false)).toBe("finished");
  });

  it("measures step time from step:start to step:end, and keeps LR per group", () => {
    expect(state.series.stepTime.every((t) => t === 0.08)).toBe(true);
    expect(state.series.lr.get("default")).toEqual(state.series.steps.map((s) => 0.001 * (s + 1)));
    expect(state.series.lr.get("head")!.every((v) => v === 0.01)).toBe(true);
  });

  it("says running while the process lives, interrupted when it is gone, failed after run:error", () => {
    const s = new RunState();
    s.apply(JSON.parse(start(0, 1)));
    expect(s.status(true)).toBe("running");
    expect(s.status(false)).toBe("interrupted");
    s.apply({ type: "run:error", step: 0, error: { message: "boom" }, time: 2 });
    expect(s.status(true)).toBe("failed");
    expect(s.error).toBe("boom");
  });
});
