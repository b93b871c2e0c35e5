import { describe, expect, it } from "vitest";
import { checkNumber, readDeltaT, readNumber, rejectUnknownKeys } from "./plugin-options.js";

describe("plugin option validators", () => {
  it("name the offending field and the allowed range", () => {
    expect(() => rejectUnknownKeys({ beta1: 0.8, betaa: 1 }, ["beta1", "beta2"])).toThrow(
      "betaa: unknown option (known options: beta1, beta2)",
    );
    expect(() => checkNumber("beta1", 1.2, { min: 0, max: 1, maxExclusive: true })).toThrow(
      "beta1: expected a number in [0, 1), got 1.2",
    );
    expect(() => checkNumber("epoch", 1.5, { min: 0, integer: true })).toThrow(
      "epoch: expected an integer in [0, inf), got 1.5",
    );
    expect(() => checkNumber("x", "3")).toThrow('x: expected a finite number, got "3"');
    expect(checkNumber("beta1", 0, { min: 0, max: 1, maxExclusive: true })).toBe(0);
  });

  it("fall back to defaults and accept window as deltaT's alias", () => {
    expect(readNumber({}, "beta1", 0.85)).toBe(0.85);
    expect(readNumber({ beta1: 0.9 }, "beta1", 0.85)).toBe(0.9);
    expect(readDeltaT({}, 10)).toBe(10);
    expect(readDeltaT({ window: 5 }, 10)).toBe(5);
    expect(() => readDeltaT({ deltaT: 5, window: 6 }, 10)).toThrow(/deltaT: given as 5 and as its alias window = 6/);
    expect(() => readDeltaT({ window: 0 }, 10)).toThrow(/^window: expected an integer in \[1, inf\)/);
  });
});
