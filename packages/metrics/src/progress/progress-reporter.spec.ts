import { describe, expect, it } from "vitest";
import { Subject } from "rxjs";
import type { TrainerEvent } from "@aflora/core";
import { attachProgress } from "./progress-reporter.js";

const counts = (n: number) => ({ total: 100, trainable: n + 2, trainableWithoutHead: n, byGroup: {} });

describe("attachProgress", () => {
  it("goes on counting frozen matrices from a resumed run's checkpoint", () => {
    const events = new Subject<TrainerEvent>();
    const out: string[] = [];
    let frozenInRegistry = 0;
    const detach = attachProgress(events, {
      stream: { write: (s: string) => out.push(s), isTTY: false },
      now: () => 0,
      frozenAtStart: () => frozenInRegistry,
    });
    frozenInRegistry = 3; // restored from the checkpoint by the time run:start is emitted
    events.next({
      type: "run:start",
      runId: "r",
      totalSteps: 4,
      stepsPerEpoch: 2,
      epochs: 2,
      backend: "cpu",
      startStep: 2,
      trainable: counts(20),
    });
    events.next({ type: "params:frozen", step: 2, names: ["c"], reason: "x", trainable: counts(10) });
    detach();
    expect(out[0]).toBe("step 2/4 | epoch 1/2 | loss – | ETA – | trainable 20 | frozen 3\n");
    expect(out[1]).toBe("step 2/4 | epoch 1/2 | loss – | ETA – | trainable 10 | frozen 4\n");
  });

  it("shows the epoch of a resumed run's last completed step, not epoch 1", () => {
    const events = new Subject<TrainerEvent>();
    const out: string[] = [];
    const detach = attachProgress(events, {
      stream: { write: (s: string) => out.push(s), isTTY: false },
      now: () => 0,
    });
    // A finished run (4 of 4 steps, 2 per epoch) resumed: nothing left to do, still in epoch 2.
    events.next({
      type: "run:start",
      runId: "r",
      totalSteps: 4,
      stepsPerEpoch: 2,
      epochs: 2,
      backend: "cpu",
      startStep: 4,
      trainable: counts(20),
    });
    detach();
    expect(out[0]).toBe("step 4/4 | epoch 2/2 | loss – | ETA – | trainable 20 | frozen 0\n");
  });

  it("prints plain lines with step, epoch, loss, ETA, trainable parameters and frozen matrices when not a TTY", () => {
    const events = new Subject<TrainerEvent>();
    const out: string[] = [];
    let t = 0;
    const detach = attachProgress(events, {
      stream: { write: (s: string) => out.push(s), isTTY: false },
      everySteps: 2,
      now: () => t,
    });
    events.next({
      type: "run:start",
      runId: "r",
      totalSteps: 4,
      stepsPerEpoch: 2,
      epochs: 2,
      backend: "cpu",
      startStep: 0,
      trainable: counts(50),
    });
    for (let s = 0; s < 4; s++) {
      t += 1000;
      events.next({
        type: "step:end",
        step: s,
        epoch: s >> 1,
        loss: 1 - s / 10,
        learningRates: {},
        gradNorm: 0,
        trainable: counts(50),
      });
      if (s === 1)
        events.next({ type: "params:frozen", step: 1, names: ["a", "b"], reason: "x", trainable: counts(20) });
    }
    detach();
    expect(out[0]).toBe("step 0/4 | epoch 1/2 | loss – | ETA – | trainable 50 | frozen 0\n");
    // after 2 steps in 2 s, 2 steps remain: ETA 2.0s
    expect(out[1]).toBe("step 2/4 | epoch 1/2 | loss 0.9000 | ETA 2.0s | trainable 50 | frozen 0\n");
    expect(out[2]).toBe("step 2/4 | epoch 1/2 | loss 0.9000 | ETA 2.0s | trainable 20 | frozen 2\n");
    expect(out[3]).toBe("step 4/4 | epoch 2/2 | loss 0.7000 | ETA 0.0s | trainable 50 | frozen 2\n");
    expect(out).toHaveLength(4);
  });

  it("redraws one line in place on a TTY and ends it on detach", () => {
    const events = new Subject<TrainerEvent>();
    const out: string[] = [];
    const detach = attachProgress(events, {
      stream: { write: (s: string) => out.push(s), isTTY: true, columns: 140 },
      intervalMs: 0,
      now: () => 0,
    });
    events.next({
      type: "run:start",
      runId: "r",
      totalSteps: 2,
      stepsPerEpoch: 2,
      epochs: 1,
      backend: "cpu",
      startStep: 0,
      trainable: counts(5),
    });
    detach();
    expect(out[0]!.startsWith("\r\x1b[2K[")).toBe(true);
    expect(out.at(-1)).toBe("\n");
  });
});
