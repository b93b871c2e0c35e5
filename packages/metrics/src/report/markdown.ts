import type { RunReport } from "./run-report.js";
import { formatCount, formatDuration, formatFlops, formatMetric, markdownTable } from "./format.js";

export interface MarkdownOptions {
  /** Plot files (relative to the report) to embed, e.g. `{ loss: "plots/loss.svg" }`. */
  plots?: Record<string, string>;
}

/** report.md: what a person reads after a run. Every number comes from the RunReport. */
export function renderReportMarkdown(r: RunReport, options: MarkdownOptions = {}): string {
  const out: string[] = [];
  out.push(`# Run ${r.runId}`, "");
  const facts: (string | number)[][] = [
    ["status", r.status + (r.error ? ` (${r.error})` : "")],
    ...(r.skippedSteps
      ? [["skipped steps (non-finite loss or gradient)", String(r.skippedSteps)] as [string, string]]
      : []),
    ...Object.entries(r.facts).map(([k, v]) => [k, v ?? "–"]),
    ["backend", r.backend ?? "–"],
    ["steps", `${r.steps.done} / ${r.steps.total} (${r.steps.perEpoch} per epoch, ${r.epochs} epochs)`],
    ["wall time", formatDuration(r.wallTimeMs) + (r.segments > 1 ? ` over ${r.segments} segments (resumed)` : "")],
    ["total FLOPs", formatFlops(r.flops?.total) + (r.flops?.note ? ` (${r.flops.note})` : "")],
  ];
  out.push(markdownTable(["", ""], facts), "");

  out.push("## Metrics", "");
  if (!r.final && !r.best) out.push("No evaluation ran.", "");
  else {
    const names = [...new Set([...Object.keys(r.best?.metrics ?? {}), ...Object.keys(r.final?.metrics ?? {})])];
    out.push(
      markdownTable(
        ["metric", `best (step ${r.best?.step ?? "–"})`, `final (step ${r.final?.step ?? "–"})`],
        names.map((n) => [
          n + (n === r.best?.metric ? " (selection)" : ""),
          formatMetric(r.best?.metrics[n]),
          formatMetric(r.final?.metrics[n]),
        ]),
      ),
      "",
    );
  }

  out.push("## Trainable parameters (classifier head excluded)", "");
  out.push(
    markdownTable(
      ["start", "end", "step-averaged (paper's #Params)", "all parameters"],
      [
        [
          formatCount(r.trainable.start),
          formatCount(r.trainable.end),
          formatCount(r.trainable.stepAveraged),
          formatCount(r.trainable.totalParameters),
        ],
      ],
    ),
    "",
  );

  if (r.frozen.length) {
    const steps = r.frozen.map((f) => f.step);
    out.push(
      `## Freezing`,
      "",
      `${r.frozen.length} matrices froze between step ${Math.min(...steps)} and step ${Math.max(...steps)}.`,
      "",
    );
  }

  if (r.evaluations.length) {
    const names = Object.keys(r.evaluations[0]!.metrics);
    out.push(
      "## Evaluations",
      "",
      markdownTable(
        ["step", "epoch", ...names],
        r.evaluations.map((e) => [e.step, e.epoch, ...names.map((n) => formatMetric(e.metrics[n]))]),
      ),
      "",
    );
  }

  const plots = Object.entries(options.plots ?? {});
  if (plots.length) {
    out.push("## Plots", "");
    for (const [name, file] of plots) out.push(`![${name}](${file})`, "");
  }
  return out.join("\n");
}
