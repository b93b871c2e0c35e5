import { describe, expect, it } from "vitest";
import { getScheduler } from "./schedulers.js";

const steps = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("lr_scheduler_type (transformers' get_scheduler)", () => {
  it("linear: warmup then linear decay to 0", () => {
    const f = getScheduler("linear", { warmupSteps: 2, totalSteps: 6, baseLr: 1 });
    expect(steps(7).map(f)).toEqual([0, 0.5, 1, 0.75, 0.5, 0.25, 0]);
  });

  it("cosine: warmup then half a cosine wave; num_cycles changes the wave", () => {
    const f = getScheduler("cosine", { warmupSteps: 2, totalSteps: 10, baseLr: 1 });
    const want = steps(11).map((s) => (s < 2 ? s / 2 : Math.max(0, 0.5 * (1 + Math.cos(Math.PI * ((s - 2) / 8))))));
    steps(11).forEach((s) => expect(f(s)).toBeCloseTo(want[s]!, 15));
    expect(f(6)).toBeCloseTo(0.5, 15); // halfway through the decay
    expect(f(10)).toBeCloseTo(0, 15);
    const full = getScheduler("cosine", { warmupSteps: 0, totalSteps: 4, baseLr: 1, kwargs: { numCycles: 1 } });
    expect([0, 1, 2, 3, 4].map(full).map((x) => +x.toFixed(12))).toEqual([1, 0.5, 0, 0.5, 1]);
  });

  it("constant has no warmup; constant_with_warmup rises then stays at 1", () => {
    expect(steps(4).map(getScheduler("constant", { warmupSteps: 3, totalSteps: 4, baseLr: 1 }))).toEqual([1, 1, 1, 1]);
    expect(steps(5).map(getScheduler("constant_with_warmup", { warmupSteps: 4, totalSteps: 5, baseLr: 1 }))).toEqual([
      0, 0.25, 0.5, 0.75, 1,
    ]);
  });

  it("polynomial: decays from lr to lr_end with the power, relative to the base lr", () => {
    const lr = 1e-3;
    const lrEnd = 1e-5;
    const f = getScheduler("polynomial", { warmupSteps: 1, totalSteps: 5, baseLr: lr, kwargs: { lrEnd, power: 2 } });
    const want = (s: number) => (s < 1 ? 0 : s > 5 ? lrEnd / lr : ((lr - lrEnd) * (1 - (s - 1) / 4) ** 2 + lrEnd) / lr);
    [0, 1, 2, 3, 4, 5, 6, 9].forEach((s) => expect(f(s)).toBeCloseTo(want(s), 15));
    expect(f(3) * lr).toBeCloseTo((lr - lrEnd) * 0.25 + lrEnd, 15);
    expect(f(5) * lr).toBeCloseTo(lrEnd, 15);
    const d = getScheduler("polynomial", { warmupSteps: 0, totalSteps: 4, baseLr: 1 });
    expect(d(2)).toBeCloseTo(0.5 + 0.5e-7, 15); // default lr_end 1e-7, power 1
  });

  it("rejects unknown names and bad kwargs naming the field", () => {
    expect(() => getScheduler("step" as never, { warmupSteps: 0, totalSteps: 1, baseLr: 1 })).toThrow(
      /lrSchedulerType: expected one of linear, cosine/,
    );
    expect(() =>
      getScheduler("polynomial", { warmupSteps: 0, totalSteps: 1, baseLr: 1e-3, kwargs: { lrEnd: 1 } }),
    ).toThrow(/lrEnd/);
    expect(() =>
      getScheduler("cosine", { warmupSteps: 0, totalSteps: 1, baseLr: 1, kwargs: { numCycles: 0 } }),
    ).toThrow(/numCycles/);
  });
});
