import { formatCount, formatDuration, markdownTable } from "@aflora/metrics";
import type { Journal } from "../journal/journal.js";
import type { Cell, SweepTable } from "./aggregate.js";
import type { TrialResult } from "./collect.js";

const TASK_NAMES: Record<string, string> = {
  cola: "CoLA",
  sst2: "SST-2",
  mrpc: "MRPC",
  qnli: "QNLI",
  stsb: "STS-B",
  rte: "RTE",
  mnli: "MNLI",
  qqp: "QQP",
};
export const taskHeader = (task: string) => TASK_NAMES[task] ?? task;

/** `72.01 ± 0.30`, with `(1 failed)`/`(2 unfinished)` when seeds are missing; `failed` when none finished. */
export function formatCell(c: Cell | undefined): string {
  if (!c) return "";
  const notes = [c.failed ? `${c.failed} failed` : "", c.unfinished ? `${c.unfinished} unfinished` : ""].filter(
    Boolean,
  );
  if (c.mean === null) return c.failed && !c.unfinished ? "failed" : notes.join(", ") || "–";
  const value = c.std === null ? c.mean.toFixed(2) : `${c.mean.toFixed(2)} ± ${c.std.toFixed(2)}`;
  return notes.length ? `${value} (${notes.join(", ")})` : value;
}

/** The main table alone (method × task), as a Markdown table. */
export function resultsTable(t: SweepTable): string {
  const header = [
    "Method",
    ...t.tasks.map((k) => `${taskHeader(k)}${t.metrics[k] ? ` (${t.metrics[k]})` : ""}`),
    "Avg",
    "Avg trainable params",
  ];
  const rows = t.rows.map((r) => [
    r.label,
    ...t.tasks.map((k) => formatCell(r.cells[k])),
    r.average === null ? "–" : r.average.toFixed(2),
    formatCount(r.trainableAvg),
  ]);
  return markdownTable(header, rows);
}

export function renderMarkdown(j: Journal, t: SweepTable, results: TrialResult[]): string {
  const count = (s: string) => results.filter((r) => r.state === s).length;
  const unfinished = results.length - count("done") - count("failed");
  const seeds = [...new Set(results.map((r) => r.seed))].sort((a, b) => (a ?? 0) - (b ?? 0));
  const perSeed = markdownTable(
    ["Method", "Seed", ...t.tasks.map(taskHeader)],
    t.rows.flatMap((row) =>
      seeds
        .filter((s) => results.some((r) => r.row === row.label && r.seed === s))
        .map((s) => [
          row.label,
          s === null ? "–" : String(s),
          ...t.tasks.map((k) => {
            const r = results.find((x) => x.row === row.label && x.seed === s && x.task === k);
            if (!r) return "";
            return r.state === "done" && r.score !== null ? r.score.toFixed(2) : r.state;
          }),
        ]),
    ),
  );
  const time = markdownTable(
    ["Method", "Trials done", "Time per trial", "Total trial time"],
    t.rows.map((r) => [r.label, String(r.done), formatDuration(r.timePerTrialMs), formatDuration(r.totalTimeMs)]),
  );
  const failed = results.filter((r) => r.state === "failed");
  const lines = [
    `# Sweep ${j.name}`,
    "",
    ...(j.description ? [j.description, ""] : []),
    `${results.length} trials: ${count("done")} done, ${count("failed")} failed, ${unfinished} unfinished (${j.mode} mode).`,
    "",
    "## Results",
    "",
    "Scores ×100 at each run's best evaluation: the paper's GLUE metric for GLUE tasks (MNLI: mean of matched and",
    "mismatched accuracy, QQP: mean of accuracy and F1, as the paper's Avg counts them), else the task's selection metric.",
    "Mean ± sample standard deviation over seeds. Avg: mean over the row's tasks. Trainable parameters: step-averaged,",
    "classifier excluded, as the paper counts them.",
    "",
    resultsTable(t),
    "",
    "## Time per trial",
    "",
    "Wall time of each finished trial, every attempt and start-up included.",
    "",
    time,
    "",
    "## Per seed",
    "",
    perSeed,
    "",
  ];
  if (failed.length) {
    lines.push(
      "## Failed trials",
      "",
      markdownTable(
        ["Trial", "Method", "Task", "Seed", "Error"],
        failed.map((r) => [r.id, r.row, taskHeader(r.task), String(r.seed ?? "–"), r.error ?? ""]),
      ),
      "",
    );
    lines.push("Each one's log: `logs/<trial>.log` in the sweep folder; its last lines are in sweep.json.", "");
  }
  return lines.join("\n");
}
