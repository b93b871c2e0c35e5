import type { TopLevelSpec } from "vega-lite";
import type { RunReport } from "../report/run-report.js";
import { HEATMAP_MODULES, matrixPosition } from "./matrix-position.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
const SIZE = { width: 520, height: 260 };

/** Legend labels of the loss plot's two lines. */
export const LOSS_SERIES = { raw: "loss per step", smoothed: "moving average (21 steps)" } as const;

export function lossCurveSpec(r: RunReport): TopLevelSpec {
  // Both layers colour by a constant "series" field on one shared scale, so vega-lite draws one legend.
  const color = {
    field: "series",
    type: "nominal" as const,
    title: null,
    scale: { domain: [LOSS_SERIES.raw, LOSS_SERIES.smoothed], range: ["#1f77b4", "#d62728"] },
    legend: { orient: "top-right" as const },
  };
  const x = { field: "step", type: "quantitative" as const };
  return {
    $schema: SCHEMA,
    title: `Training loss — ${r.runId}`,
    ...SIZE,
    data: { values: r.loss.map((p) => ({ step: p.step, loss: p.loss })) },
    layer: [
      {
        transform: [{ calculate: JSON.stringify(LOSS_SERIES.raw), as: "series" }],
        mark: { type: "line", opacity: 0.35 },
        encoding: { x, y: { field: "loss", type: "quantitative" }, color },
      },
      {
        // A moving average makes the trend readable at batch-level noise.
        transform: [
          { window: [{ op: "mean", field: "loss", as: "smoothed" }], frame: [-10, 10], sort: [{ field: "step" }] },
          { calculate: JSON.stringify(LOSS_SERIES.smoothed), as: "series" },
        ],
        mark: { type: "line" },
        encoding: { x, y: { field: "smoothed", type: "quantitative", title: "loss" }, color },
      },
    ],
  };
}

export function metricCurvesSpec(r: RunReport): TopLevelSpec {
  const values = r.evaluations.flatMap((e) =>
    Object.entries(e.metrics).map(([metric, value]) => ({ step: e.step, metric, value })),
  );
  return {
    $schema: SCHEMA,
    title: `Evaluation metrics — ${r.runId}`,
    ...SIZE,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "step", type: "quantitative" },
      y: { field: "value", type: "quantitative" },
      color: { field: "metric", type: "nominal" },
    },
  };
}

export function trainableParamsSpec(r: RunReport): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: "Trainable parameters (classifier excluded)",
    ...SIZE,
    data: { values: r.trainable.series },
    mark: { type: "line", interpolate: "step-after" },
    encoding: {
      x: { field: "step", type: "quantitative" },
      y: { field: "trainable", type: "quantitative", title: "trainable parameters" },
    },
  };
}

/**
 * The paper's freezing heatmap (Fig. 5): layers × {q, k, v, o, inter, out} × {A, B}, colour = step frozen.
 * Matrices never trainable (AFLoRA's attention A/B) and never frozen are drawn in grey with a label.
 */
export function freezingHeatmapSpec(r: RunReport): TopLevelSpec {
  const frozenAt = new Map(r.frozen.map((f) => [f.name, f.step]));
  const cells = r.parameters
    .map((p) => ({ p, pos: matrixPosition(p.name) }))
    .filter((c) => c.pos !== null)
    .map(({ p, pos }) => {
      const step = frozenAt.get(p.name);
      const state = step !== undefined ? "frozen" : p.trainable ? "never frozen" : "frozen from start";
      return { layer: pos!.layer, column: `${pos!.module}.${pos!.matrix}`, step: step ?? null, state };
    });
  const columns = HEATMAP_MODULES.flatMap((m) => [`${m}.A`, `${m}.B`]);
  const x = { field: "column", type: "ordinal" as const, sort: columns, title: "module . matrix" };
  const y = { field: "layer", type: "ordinal" as const, sort: "descending" as const };
  return {
    $schema: SCHEMA,
    title: {
      text: "Step at which each projection matrix froze",
      subtitle: "grey: init = frozen from the start, — = never frozen",
    },
    width: { step: 34 },
    height: { step: 22 },
    data: { values: cells },
    layer: [
      {
        transform: [{ filter: "datum.state !== 'frozen'" }],
        mark: { type: "rect", color: "#dddddd" },
        encoding: { x, y },
      },
      {
        transform: [{ filter: "datum.state !== 'frozen'" }],
        mark: { type: "text", fontSize: 8, color: "#666666" },
        encoding: { x, y, text: { condition: { test: "datum.state === 'never frozen'", value: "—" }, value: "init" } },
      },
      {
        transform: [{ filter: "datum.state === 'frozen'" }],
        mark: "rect",
        encoding: {
          x,
          y,
          color: { field: "step", type: "quantitative", scale: { scheme: "viridis" }, title: "frozen at step" },
        },
      },
    ],
  };
}
