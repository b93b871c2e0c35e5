import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scratch } from "../../test/helpers.js";
import { writeJournal } from "../journal/journal-file.js";
import type { Journal, TrialRecord, TrialState } from "../journal/journal.js";
import { sweepReport } from "../commands/sweep-report.js";
import { sampleStd } from "./aggregate.js";
import { resultsTable } from "./render-markdown.js";

/** A sweep folder by hand: trial configs, run folders with report.json, and sweep.json. */
function fakeSweep(
  trials: {
    method: string;
    task: string;
    seed: number;
    state: TrialState;
    metrics?: Record<string, number>;
    trainable?: number;
    extra?: Record<string, unknown>;
  }[],
) {
  const dir = scratch("report");
  mkdirSync(join(dir, "trials"));
  const records: TrialRecord[] = trials.map((t, i) => {
    const id = `t${String(i).padStart(11, "0")}`;
    const configFile = join(dir, "trials", `${id}.json`);
    writeFileSync(
      configFile,
      JSON.stringify({ adapter: { name: t.method }, data: { name: `glue/${t.task}` }, training: { seed: t.seed } }),
    );
    let runDir: string | null = null;
    if (t.state === "done") {
      runDir = join(dir, `2026-x-${id}-abcdef`);
      mkdirSync(runDir);
      const metric = Object.keys(t.metrics!)[0]!;
      writeFileSync(
        join(runDir, "report.json"),
        JSON.stringify({
          best: { metrics: t.metrics, metric, value: t.metrics![metric] },
          trainable: { stepAveraged: t.trainable },
        }),
      );
    }
    return {
      id,
      kind: "train",
      label: "",
      overrides: { "adapter.name": t.method, preset: `glue/${t.task}`, "training.seed": t.seed, ...t.extra },
      configFile,
      state: t.state,
      attempts: [],
      runDir,
      elapsedMs: 60_000 * (i + 1),
      ...(t.state === "failed"
        ? { error: { message: "killed by SIGKILL (out of memory, or killed)", logTail: [] } }
        : {}),
    };
  });
  const j: Journal = {
    version: 1,
    name: "hand",
    file: "",
    dir,
    cwd: dir,
    mode: "embedded",
    settings: { threadsPerTrial: 1, retries: 0, plots: true },
    createdAt: "",
    updatedAt: "",
    trials: records,
  };
  writeJournal(j);
  return dir;
}

describe("the sweep report", () => {
  it("is the paper's table: GLUE metric per task, mean ± sample std over seeds, Avg, params; failed shown as failed", async () => {
    const dir = fakeSweep([
      {
        method: "aflora",
        task: "cola",
        seed: 1,
        state: "done",
        metrics: { matthews_correlation: 0.7 },
        trainable: 140_000,
      },
      {
        method: "aflora",
        task: "cola",
        seed: 2,
        state: "done",
        metrics: { matthews_correlation: 0.72 },
        trainable: 150_000,
      },
      {
        method: "aflora",
        task: "mnli",
        seed: 1,
        state: "done",
        metrics: { accuracy: 0.9, accuracy_mismatched: 0.88 },
        trainable: 130_000,
      },
      { method: "aflora", task: "mnli", seed: 2, state: "failed" },
      { method: "lora", task: "cola", seed: 1, state: "failed", extra: { "adapter.r": 8 } },
      { method: "lora", task: "cola", seed: 2, state: "failed", extra: { "adapter.r": 8 } },
      {
        method: "lora",
        task: "mnli",
        seed: 1,
        state: "done",
        metrics: { accuracy: 0.91, accuracy_mismatched: 0.9 },
        trainable: 1_330_000,
        extra: { "adapter.r": 8 },
      },
      { method: "lora", task: "mnli", seed: 2, state: "running", extra: { "adapter.r": 8 } },
    ]);
    const r = await sweepReport(dir);
    // CoLA: MCC 70, 72 → 71 ± √2; MNLI: (90 + 88)/2 = 89 from seed 1, seed 2 failed; Avg (71 + 89)/2 = 80.
    expect(resultsTable(r.table)).toBe(
      [
        "| Method | CoLA (matthews_correlation) | MNLI (accuracy/accuracy_mismatched) | Avg | Avg trainable params |",
        "|---|---|---|---|---|",
        "| AFLoRA | 71.00 ± 1.41 | 89.00 (1 failed) | 80.00 | 140.0k |",
        "| LoRA | failed | 90.50 (1 unfinished) | – | 1.33M |",
      ].join("\n"),
    );
    expect(r.markdown).toContain("| AFLoRA | 2 | 72.00 | failed |");
    expect(r.markdown).toContain("| LoRA | 2 | failed | running |");
    expect(r.markdown).toContain("| AFLoRA | 3 | 2m00s | 10m00s |");
    const csv = readFileSync(join(dir, "report.csv"), "utf8").trim().split("\n");
    expect(csv[1]).toBe("AFLoRA,cola,matthews_correlation,71.0000,1.4142,2,0,0,80.0000,140000.0,120.00");
    expect(readFileSync(join(dir, "report-seeds.csv"), "utf8")).toContain(
      't00000000003,AFLoRA,mnli,2,failed,,,,240.00,,"killed by SIGKILL (out of memory, or killed)"',
    );
    const json = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
    expect(json.table.rows[0].cells.cola.scores).toEqual([70, 72]);
    const spec = JSON.parse(readFileSync(join(dir, "report.vl.json"), "utf8"));
    expect(spec.data.values).toHaveLength(4);
    expect(spec.spec.layer.map((l: { mark: { type: string } }) => l.mark.type)).toEqual(["errorbar", "tick", "point"]);
    const svg = readFileSync(join(dir, "report.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("CoLA");
  });

  it("computes the sample standard deviation", () => {
    expect(sampleStd([61, 62, 63])).toBe(1);
    expect(sampleStd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138089935, 9);
    expect(sampleStd([5])).toBeNull();
  });
});
