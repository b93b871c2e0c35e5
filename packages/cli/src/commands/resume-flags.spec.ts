import { describe, expect, it } from "vitest";
import { refuseConfigFlagsOnResume } from "./resume-flags.js";

describe("refuseConfigFlagsOnResume", () => {
  it("lets run-only flags through (commander's --no-plots default included)", () => {
    expect(() =>
      refuseConfigFlagsOnResume({
        resume: "runs/x",
        plots: true,
        quiet: true,
        plugin: ["p"],
        trustRunImports: true,
        profile: 3,
      }),
    ).not.toThrow();
  });

  it("refuses a config flag, naming it as typed", () => {
    expect(() => refuseConfigFlagsOnResume({ resume: "runs/x", plots: true, lr: "0.1" })).toThrow(
      "--resume continues the run as configured; --lr cannot change it",
    );
    expect(() => refuseConfigFlagsOnResume({ resume: "r", maxSteps: "9" })).toThrow("--max-steps cannot change it");
    expect(() => refuseConfigFlagsOnResume({ resume: "r", set: ["training.seed=3"] })).toThrow(
      "--set training.seed=3 cannot change it",
    );
    expect(() => refuseConfigFlagsOnResume({ resume: "r", preset: "demo" })).toThrow("--preset cannot change it");
    expect(() => refuseConfigFlagsOnResume({ resume: "r", config: "a.yaml" })).toThrowError(
      expect.objectContaining({ name: "ConfigError", message: expect.stringContaining("--config cannot") }),
    );
  });
});
