import { existsSync } from "node:fs";
import { join } from "node:path";
import { computeTaskMetrics, markdownTable, selectionMetric } from "@aflora/metrics";
import { glueTaskData } from "../glue-task-data.js";
import { GLUE_TASK_NAMES, GLUE_TASKS, type GlueTaskName } from "../tasks/glue-tasks.js";
import { WhitespaceTokenizer } from "../testing/whitespace-tokenizer.js";
import { AUTHORS_GLUE_TASKS, glueDataReproPredictions, type GlueTaskExpectation } from "./authors-glue-tasks.js";

export interface GlueDataReproResult {
  ok: boolean;
  /** Markdown: one row per task and layout, one per task's metrics, then what failed. */
  text: string;
}

type Layout = "tsv" | "parquet";

/**
 * Ties @aflora/glue-data to the authors' code on a GLUE fixture folder (`tsv/<Task>/` GLUE
 * distribution layout for every task, `parquet/<task>/` nyu-mll/glue layout where present):
 * each task loads with the authors' label set, text fields, metrics, selection metric and
 * evaluation splits, both layouts give the same labels, and the task's metrics on a small
 * prediction set equal hand-computed values (to 1e-12).
 */
export async function runGlueDataRepro(
  fixturesDir: string,
  expected: Readonly<Record<GlueTaskName, GlueTaskExpectation>> = AUTHORS_GLUE_TASKS,
): Promise<GlueDataReproResult> {
  if (!existsSync(join(fixturesDir, "tsv")))
    throw new Error(`${fixturesDir}: no tsv/ folder (expected a GLUE fixture folder such as fixtures/glue-tiny)`);
  const tokenizer = new WhitespaceTokenizer();
  const problems: string[] = [];
  const loadRows: string[][] = [];
  const metricRows: string[][] = [];
  for (const name of GLUE_TASK_NAMES) {
    const want = expected[name];
    const task = GLUE_TASKS[name];
    const labelsByLayout: string[] = [];
    for (const layout of ["tsv", "parquet"] as Layout[]) {
      const dir = join(fixturesDir, layout);
      const folder = join(dir, layout === "tsv" ? task.tsv.folder : task.name);
      if (!existsSync(folder)) {
        if (layout === "tsv") {
          problems.push(`${task.displayName} (tsv): ${folder} is missing`);
          loadRows.push(["FAIL", task.displayName, layout, "missing", "", "", "", ""]);
        }
        continue;
      }
      const fails: string[] = [];
      const check = (what: string, got: unknown, wanted: unknown) => {
        if (JSON.stringify(got) !== JSON.stringify(wanted))
          fails.push(`${what}: got ${JSON.stringify(got)}, expected ${JSON.stringify(wanted)}`);
      };
      try {
        const loaded = await glueTaskData({ task: name, dataDir: dir }).load({
          tokenizer,
          batchSize: 4,
          seed: 42,
          maxSeqLength: 64,
        });
        const info = loaded.info;
        check("labels", info.labels, want.labels);
        check("text fields", info.textFields.length, want.textFields);
        check("metrics", info.metrics.metrics, want.metrics);
        check("selection metric", selectionMetric(info.metrics), want.selection);
        check(
          "evaluation split suffixes",
          loaded.evaluator.splits.map((s) => s.metricSuffix),
          want.evalSuffixes,
        );
        for (const s of loaded.readStats) if (s.rows === 0) fails.push(`${s.file}: no examples`);
        const labels = loaded.evaluator.splits.map((s) => Array.from(s.data.labels));
        for (const [i, split] of labels.entries()) {
          const bad = split.find((l) =>
            info.labels === null ? !(l >= 0 && l <= 5) : !(Number.isInteger(l) && l >= 0 && l < info.labels.length),
          );
          if (bad !== undefined) fails.push(`${loaded.evaluator.splits[i]!.name}: label ${bad} outside the label set`);
        }
        labelsByLayout.push(JSON.stringify(labels));
        const rows = loaded.readStats.map((s) => s.rows).join(" / ");
        loadRows.push([
          fails.length ? "FAIL" : "PASS",
          task.displayName,
          layout,
          info.labels === null ? "regression" : info.labels.join(", "),
          String(info.textFields.length),
          `${info.metrics.metrics.join(", ")} (selects on ${selectionMetric(info.metrics)})`,
          loaded.evaluator.splits.map((s) => s.name + (s.metricSuffix ? ` (${s.metricSuffix})` : "")).join(", "),
          rows,
        ]);
      } catch (e) {
        fails.push((e as Error).message);
        loadRows.push(["FAIL", task.displayName, layout, "does not load", "", "", "", ""]);
      }
      problems.push(...fails.map((f) => `${task.displayName} (${layout}): ${f}`));
    }
    if (labelsByLayout.length === 2 && labelsByLayout[0] !== labelsByLayout[1])
      problems.push(`${task.displayName}: tsv and parquet give different evaluation labels`);
    metricRows.push(scoreHandSet(task.displayName, task.numLabels, task.metrics, want.handMetrics, problems));
  }
  const text = [
    "## Every GLUE task loads as in the authors' code",
    "",
    markdownTable(
      ["", "task", "layout", "labels", "text fields", "metrics", "evaluation splits", "examples (train / eval)"],
      loadRows,
    ),
    "",
    "## Task metrics on a small prediction set (hand-computed, to 1e-12)",
    "",
    markdownTable(["", "task", "aflora", "by hand"], metricRows),
    "",
    problems.length === 0 ? "No problems." : ["## Problems", "", ...problems.map((p) => `- ${p}`)].join("\n"),
  ].join("\n");
  return { ok: problems.length === 0, text };
}

function scoreHandSet(
  displayName: string,
  numLabels: number,
  spec: Parameters<typeof computeTaskMetrics>[0],
  hand: Readonly<Record<string, number>>,
  problems: string[],
): string[] {
  const [predictions, gold] = glueDataReproPredictions(numLabels);
  const got = computeTaskMetrics(spec, predictions, gold);
  const names = [...new Set([...Object.keys(got), ...Object.keys(hand)])];
  const wrong = names.filter((n) => !(Math.abs((got[n] ?? NaN) - (hand[n] ?? NaN)) <= 1e-12));
  for (const n of wrong)
    problems.push(
      `${displayName} metrics: ${n} = ${got[n]?.toFixed(6) ?? "missing"}, by hand ${hand[n]?.toFixed(6) ?? "missing"}`,
    );
  const show = (m: Record<string, number>) => names.map((n) => `${n} ${m[n]?.toFixed(6) ?? "–"}`).join(", ");
  return [wrong.length ? "FAIL" : "PASS", displayName, show(got), show(hand)];
}
