import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AUTHORS_GLUE_TASKS } from "./authors-glue-tasks.js";
import { runGlueDataRepro } from "./glue-data-suite.js";

const GLUE_TINY = fileURLToPath(new URL("../../../../fixtures/glue-tiny/", import.meta.url));

describe("runGlueDataRepro", () => {
  it("every GLUE task of glue-tiny loads as in the authors' code, in both layouts; metrics equal the hand values", async () => {
    const r = await runGlueDataRepro(GLUE_TINY);
    expect(r.text).toContain("No problems.");
    expect(r.ok).toBe(true);
    // 9 tasks in tsv + MNLI, RTE, STS-B in parquet; one metrics row per task.
    expect(r.text.match(/\| PASS \| [^|]+ \| (tsv|parquet) \|/g)).toHaveLength(12);
    expect(r.text).toContain(
      "| PASS | CoLA | tsv | unacceptable, acceptable | 1 | matthews_correlation (selects on matthews_correlation) | validation |",
    );
    expect(r.text).toContain("| PASS | MRPC | tsv | not_equivalent, equivalent | 2 | accuracy, f1 (selects on f1) |");
    expect(r.text).toContain("| PASS | STS-B | parquet | regression | 2 | pearson, spearmanr (selects on pearson) |");
    expect(r.text).toContain(
      "| PASS | MNLI | parquet | entailment, neutral, contradiction | 2 | accuracy (selects on accuracy) | validation_matched, validation_mismatched (_mm) |",
    );
    expect(r.text).toContain("| PASS | CoLA | matthews_correlation 0.500000 | matthews_correlation 0.500000 |");
    expect(r.text).toContain("| PASS | MRPC | accuracy 0.666667, f1 0.666667, combined_score 0.666667 |");
  });

  it("reports an expectation the package does not meet as FAIL, naming the task and field", async () => {
    const wrong = {
      ...AUTHORS_GLUE_TASKS,
      mrpc: { ...AUTHORS_GLUE_TASKS.mrpc, selection: "accuracy" },
      cola: { ...AUTHORS_GLUE_TASKS.cola, handMetrics: { matthews_correlation: 0.6 } },
    };
    const r = await runGlueDataRepro(GLUE_TINY, wrong);
    expect(r.ok).toBe(false);
    expect(r.text).toContain("| FAIL | MRPC | tsv |");
    expect(r.text).toContain('- MRPC (tsv): selection metric: got "f1", expected "accuracy"');
    expect(r.text).toContain("| FAIL | CoLA | matthews_correlation 0.500000 | matthews_correlation 0.600000 |");
    expect(r.text).toContain("- CoLA metrics: matthews_correlation = 0.500000, by hand 0.600000");
    expect(r.text.match(/\| FAIL \|/g)).toHaveLength(2);
  });

  it("a folder without the GLUE layout is one clear error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "glue-repro-"));
    await expect(runGlueDataRepro(dir)).rejects.toThrow(`${dir}: no tsv/ folder`);
  });
});
