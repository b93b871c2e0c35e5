import { describe, expect, it } from "vitest";
import { AUTHORS_SELECTION_METRICS, runMetricsRepro } from "./metrics-suite.js";

describe("runMetricsRepro", () => {
  it("passes: hand-computed definitions, the authors' selection metric per task, FLOPs beside the paper's 2.96×", () => {
    const r = runMetricsRepro();
    expect(r.ok).toBe(true);
    expect(r.text).not.toContain("FAIL");
    expect(r.text).toContain(
      "| PASS | Matthews = (TP·TN−FP·FN)/√((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = 4/8 | 0.500000 | 0.500000 |",
    );
    expect(r.text).toContain("| PASS | cola | matthews_correlation | matthews_correlation |");
    expect(r.text).toContain("| PASS | mrpc | f1 | f1 |");
    expect(r.text).toContain("| PASS | stsb | pearson | pearson |");
    expect(r.text.match(/\| PASS \|/g)).toHaveLength(5 + Object.keys(AUTHORS_SELECTION_METRICS).length);
    expect(r.text).toMatch(/\| ELoRA r=1024 \| [\d.]+ TFLOP \| 1\.00 \|/);
    expect(r.text).toMatch(/The paper reports 2\.96× fewer FLOPs .* the formula gives \d+\.\d\d× once/);
  });

  it("reports a selection metric that differs from the expected one as FAIL", () => {
    const r = runMetricsRepro({ selection: { ...AUTHORS_SELECTION_METRICS, mrpc: "accuracy" } });
    expect(r.ok).toBe(false);
    expect(r.text).toContain("| FAIL | mrpc | f1 | accuracy |");
    expect(r.text.match(/\| FAIL \|/g)).toHaveLength(1);
  });

  it("an unknown task in the expectations is one clear error", () => {
    expect(() => runMetricsRepro({ selection: { boolq: "accuracy" } })).toThrow('Unknown GLUE task "boolq"');
  });
});
