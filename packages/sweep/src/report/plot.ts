import type { renderSvg } from "@aflora/metrics";
import type { TrialResult } from "./collect.js";
import { taskHeader } from "./render-markdown.js";

/** Vega-Lite's spec type, as @aflora/metrics renders it. */
export type TopLevelSpec = Parameters<typeof renderSvg>[0];

/**
 * The sweep's plot, in the style of the run plots of @aflora/metrics: each task's score per
 * method, one point per seed, the mean as a tick and the seed spread (± 1 sample std) as a bar.
 */
export function sweepPlotSpec(name: string, results: TrialResult[]): TopLevelSpec {
  const values = results
    .filter((r) => r.state === "done" && r.score !== null)
    .map((r) => ({ method: r.row, task: taskHeader(r.task), seed: r.seed, score: r.score }));
  const x = { field: "method", type: "nominal" as const, title: null, axis: { labelAngle: -30 } };
  const y = { field: "score", type: "quantitative" as const, title: "score ×100", scale: { zero: false } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `Sweep ${name}: score per method over seeds`,
    data: { values },
    facet: { column: { field: "task", type: "nominal", title: null } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 160,
      height: 220,
      layer: [
        { mark: { type: "errorbar", extent: "stdev", color: "#1f77b4" }, encoding: { x, y } },
        { mark: { type: "tick", color: "#d62728", thickness: 2 }, encoding: { x, y: { ...y, aggregate: "mean" } } },
        {
          mark: { type: "point", filled: true, opacity: 0.6 },
          encoding: { x, y, tooltip: [{ field: "seed" }, { field: "score" }] },
        },
      ],
    },
  } as TopLevelSpec;
}
