import { PluginRegistry } from "@aflora/core";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";
import { register } from "./register.js";
import { TensorBoardReporter } from "./tensorboard-reporter.js";

describe("register", () => {
  const registry = new PluginRegistry();
  register(registry);

  it("adds the tensorboard reporter, selected by name as report_to: [tensorboard]", () => {
    expect(registry.names("reporter")).toContain("tensorboard");
    const reporter = registry.create(
      "reporter",
      { name: "tensorboard" },
      container.createChildContainer(),
      "report_to[0]",
    );
    expect(reporter).toBeInstanceOf(TensorBoardReporter);
  });

  it("names the field of a bad option", () => {
    expect(() =>
      registry.create(
        "reporter",
        { name: "tensorboard", logdir: "x" },
        container.createChildContainer(),
        "report_to[0]",
      ),
    ).toThrow('report_to[0] (reporter "tensorboard"): logdir: unknown option');
    expect(() =>
      registry.create(
        "reporter",
        { name: "tensorboard", heatmap: "yes" },
        container.createChildContainer(),
        "report_to[0]",
      ),
    ).toThrow(/report_to\[0\] \(reporter "tensorboard"\): heatmap: /);
  });
});
