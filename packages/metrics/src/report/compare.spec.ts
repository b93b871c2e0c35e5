import { describe, expect, it } from "vitest";
import { buildRunReport } from "./run-report.js";
import { compareRuns } from "./compare.js";
import { PAPER_GLUE_TABLE, paperTaskScore } from "./paper-table.js";
import { renderReportMarkdown } from "./markdown.js";
import type { EventRecord } from "./event-json.js";

const report = (runId: string, acc: number, method: string) =>
  buildRunReport(
    [
      {
        type: "run:start",
        time: 0,
        runId,
        totalSteps: 1,
        stepsPerEpoch: 1,
        epochs: 1,
        backend: "wasm",
        startStep: 0,
        trainable: { total: 9, trainable: 5, trainableWithoutHead: 3, byGroup: {} },
      },
      {
        type: "step:end",
        time: 60_000,
        step: 0,
        epoch: 0,
        loss: 0.5,
        learningRates: {},
        gradNorm: 0,
        trainable: { total: 9, trainable: 5, trainableWithoutHead: 3, byGroup: {} },
      },
      {
        type: "eval:end",
        time: 61_000,
        step: 1,
        epoch: 0,
        metrics: { accuracy: acc },
        selection: { metric: "accuracy", value: acc, isBest: true },
      },
    ] as EventRecord[],
    { facts: { task: "glue:rte", method } },
  );

describe("the paper's table", () => {
  it("reproduces each row's published Avg from its task scores (MNLI and QQP averaged) within rounding", () => {
    for (const row of PAPER_GLUE_TABLE) {
      const avg = Object.values(row.scores).reduce<number>((a, s) => a + paperTaskScore(s), 0) / 8;
      expect(Math.abs(avg - row.avg)).toBeLessThanOrEqual(0.01);
    }
  });
});

describe("compareRuns", () => {
  it("puts runs in one table with the paper's score for the same task and method", () => {
    const md = compareRuns([report("a", 0.8812, "aflora"), report("b", 0.85, "lora")], { paper: true });
    const lines = md.split("\n");
    expect(lines[0]).toContain("| run | task | method |");
    expect(lines[2]).toContain("| a | glue:rte | aflora | accuracy | 88.12 | 88.12 | 3 |");
    expect(lines[2]).toContain("88.09 (accuracy, 0.14M params)");
    expect(lines[3]).toContain("85.32 (accuracy, 1.33M params)");
    expect(lines[3]).toContain("1m01s");
  });
});

describe("renderReportMarkdown", () => {
  it("shows best and final metrics and the trainable counts", () => {
    const md = renderReportMarkdown(report("a", 0.75, "aflora"), { plots: { loss: "plots/loss.svg" } });
    expect(md).toContain("| accuracy (selection) | 0.7500 | 0.7500 |");
    expect(md).toContain("| 3 | 3 | 3 | 9 |");
    expect(md).toContain("![loss](plots/loss.svg)");
  });
});
