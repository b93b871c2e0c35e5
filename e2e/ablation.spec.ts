import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aflora, events, onlyRun, readJson, scratch } from "./helpers.js";

describe("an ablation config that swaps the scorer and the schedule", () => {
  it("runs with the named plugins, no code changes", () => {
    const cwd = scratch("ablation");
    const file = join(cwd, "ablation.yaml");
    writeFileSync(
      file,
      [
        "# AFLoRA with AdaLoRA's |θ·∇θ| sensitivity and a linear freezing schedule",
        "model: demo",
        "adapter: { name: aflora }",
        "data: { name: spam-assassin, maxExamples: 240 }",
        "scorer: { name: sensitivity, beta1: 0.85, beta2: 0.95 }",
        "schedule: { name: linear, initialWarmupEpochs: 1, finalWarmupEpochs: 1 }",
        "training:",
        "  epochs: 3",
        "  batchSize: 16",
        "  lr: 0.01",
        "  classifierLr: 0.01",
        "  weightDecay: 0.1",
        "  classifierWeightDecay: 0.1",
        "  warmupRatio: 0.06",
        "  maxGradNorm: 0.1",
        "  gradientAccumulation: 1",
        "  maxSeqLength: 32",
        "  seed: 7",
        "  evalEvery: epoch",
        "name: ablation",
        "",
      ].join("\n"),
    );
    const r = aflora(["train", "--config", file, "--quiet"], { cwd });
    expect(r.status, r.stderr).toBe(0);
    const run = onlyRun(cwd);
    expect(run).toMatch(/-ablation-[0-9a-f]{6}$/);
    expect(readJson(join(run, "config.json"))).toMatchObject({
      scorer: { name: "sensitivity" },
      schedule: { name: "linear" },
    });
    const report = readJson(join(run, "report.json"));
    expect(report.facts).toMatchObject({ scorer: "sensitivity", schedule: "linear", seed: 7 });
    const frozen = events(run).filter((e) => e.type === "params:frozen");
    expect(frozen.length).toBeGreaterThan(0);
    expect(report.frozen).toHaveLength(16);
  });
});
