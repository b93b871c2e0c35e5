import type { SweepTable } from "./aggregate.js";
import type { TrialResult } from "./collect.js";

const field = (v: unknown): string => {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (rows: unknown[][]) => rows.map((r) => r.map(field).join(",")).join("\n") + "\n";

/** report.csv: one line per method × task (mean, std, seeds, failed), plus the row's averages. */
export function summaryCsv(t: SweepTable): string {
  const rows: unknown[][] = [
    [
      "method",
      "task",
      "metric",
      "mean",
      "std",
      "seeds",
      "failed",
      "unfinished",
      "avg",
      "avg_trainable_params",
      "time_per_trial_s",
    ],
  ];
  for (const r of t.rows) {
    for (const task of t.tasks) {
      const c = r.cells[task];
      if (!c) continue;
      rows.push([
        r.label,
        task,
        t.metrics[task] ?? "",
        c.mean?.toFixed(4),
        c.std?.toFixed(4),
        c.n,
        c.failed,
        c.unfinished,
        r.average?.toFixed(4),
        r.trainableAvg?.toFixed(1),
        r.timePerTrialMs === null ? "" : (r.timePerTrialMs / 1000).toFixed(2),
      ]);
    }
  }
  return csv(rows);
}

/** report-seeds.csv: one line per trial. */
export function trialsCsv(results: TrialResult[]): string {
  return csv([
    [
      "trial",
      "method",
      "task",
      "seed",
      "state",
      "score",
      "metric",
      "avg_trainable_params",
      "time_s",
      "run_dir",
      "error",
    ],
    ...results.map((r) => [
      r.id,
      r.row,
      r.task,
      r.seed,
      r.state,
      r.score?.toFixed(4),
      r.metric,
      r.trainableAvg,
      (r.elapsedMs / 1000).toFixed(2),
      r.runDir,
      r.error,
    ]),
  ]);
}
