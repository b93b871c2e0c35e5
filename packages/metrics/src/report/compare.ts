import type { RunReport } from "./run-report.js";
import { formatCount, formatDuration, formatFlops, markdownTable } from "./format.js";
import { glueTaskKey, paperRow, PAPER_TASK_COLUMNS } from "./paper-table.js";

export interface CompareOptions {
  /** Adds the paper's published score for the same task and method beside each run. */
  paper?: boolean;
}

/** One Markdown table comparing runs: selection metric (best, final), parameters, FLOPs, time, backend. */
export function compareRuns(reports: readonly RunReport[], options: CompareOptions = {}): string {
  const header = [
    "run",
    "task",
    "method",
    "selection metric",
    "best",
    "final",
    "#params (avg)",
    "FLOPs",
    "wall time",
    "backend",
  ];
  if (options.paper) header.push("paper");
  const rows = reports.map((r) => {
    const metric = r.best?.metric ?? r.selectionMetric;
    const row: (string | number)[] = [
      r.runId,
      String(r.facts.task ?? "–"),
      String(r.facts.method ?? "–"),
      metric ?? "–",
      pct(r.best?.value),
      pct(metric ? r.final?.metrics[metric] : undefined),
      formatCount(r.trainable.stepAveraged),
      formatFlops(r.flops?.total),
      formatDuration(r.wallTimeMs),
      r.backend ?? "–",
    ];
    if (options.paper) row.push(paperCell(String(r.facts.task ?? ""), String(r.facts.method ?? "")));
    return row;
  });
  const lines = [markdownTable(header, rows)];
  if (options.paper)
    lines.push(
      "",
      "Scores ×100. Paper: AFLoRA (ACL 2024) Table 1, DeBERTaV3-base, GLUE dev sets, best epoch; MNLI m/mm, QQP acc/F1.",
    );
  return lines.join("\n");
}

function pct(v: number | undefined | null): string {
  return typeof v === "number" && Number.isFinite(v) ? (v * 100).toFixed(2) : "–";
}

function paperCell(task: string, method: string): string {
  const key = glueTaskKey(task);
  const row = paperRow(method);
  if (!key || !row) return "–";
  const s = row.scores[key];
  const score = Array.isArray(s) ? `${s[0].toFixed(2)}/${s[1].toFixed(2)}` : s.toFixed(2);
  return `${score} (${PAPER_TASK_COLUMNS[key].column}, ${row.params} params)`;
}
