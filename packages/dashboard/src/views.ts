import {
  buildRunReport,
  freezingHeatmapSpec,
  lossCurveSpec,
  matrixPosition,
  metricCurvesSpec,
  trainableParamsSpec,
  type RunReport,
} from "@aflora/metrics";
import type { TopLevelSpec } from "vega-lite";
import { downsample } from "./downsample.js";
import type { RunFolder, RunSummary } from "./run-folder.js";
import { seriesLineSpec } from "./specs.js";

export interface RunView {
  summary: RunSummary;
  config: Record<string, unknown>;
  heatmap: { cells: number; frozen: number };
  /** Vega-Lite specs by chart: the report's (loss, metrics, trainable-parameters, freezing-heatmap) and lr, step-time. */
  specs: Record<string, TopLevelSpec>;
}

/** The main learning rate, as the TensorBoard reporter and HF: the adapter group, else the first. */
function mainGroup(groups: string[]): string | undefined {
  return groups.includes("default") ? "default" : groups[0];
}

/** A RunReport holding just what the report's plot specs read, with downsampled curves. */
function reportForPlots(run: RunFolder): RunReport {
  const s = run.state;
  const parameters = run.parameterInfo();
  const base = buildRunReport([], { parameters });
  const loss = downsample(s.series.steps, s.series.loss).map(([step, l]) => ({ step, epoch: 0, loss: l }));
  const series = downsample(s.series.steps, s.series.trainable).map(([step, trainable]) => ({ step, trainable }));
  return {
    ...base,
    runId: s.runId || run.id,
    loss,
    evaluations: s.evals.map((e) => ({ step: e.step, epoch: 0, metrics: e.metrics })),
    trainable: { ...base.trainable, series },
    frozen: [...s.frozen].map(([name, step]) => ({ name, step, reason: "" })),
  };
}

/** The report's freezing heatmap with a tooltip naming each cell's matrix and the step it froze at. */
function heatmapWithTooltip(r: RunReport): TopLevelSpec {
  const spec = freezingHeatmapSpec(r) as TopLevelSpec & {
    data: { values: Record<string, unknown>[] };
    layer: { encoding?: Record<string, unknown> }[];
  };
  // freezingHeatmapSpec makes one cell per parameter that has a heatmap position, in order.
  const names = r.parameters.filter((p) => matrixPosition(p.name) !== null).map((p) => p.name);
  spec.data.values = spec.data.values.map((cell, i) => ({ ...cell, matrix: names[i] }));
  const tooltip = [
    { field: "matrix", type: "nominal", title: "matrix" },
    { field: "step", type: "quantitative", title: "frozen at step" },
    { field: "state", type: "nominal", title: "state" },
  ];
  for (const layer of spec.layer) if (layer.encoding) layer.encoding.tooltip = tooltip;
  return spec;
}

export function runView(run: RunFolder): RunView {
  const s = run.state;
  const r = reportForPlots(run);
  const specs: Record<string, TopLevelSpec> = {};
  if (r.loss.length) specs.loss = lossCurveSpec(r);
  const groups = [...s.series.lr.keys()];
  if (groups.length) {
    const values = groups.flatMap((g) =>
      downsample(s.series.steps, s.series.lr.get(g)!).map(([step, value]) => ({ step, value, series: g })),
    );
    specs.lr = seriesLineSpec("Learning rate per optimizer group", "learning rate", values, "group");
  }
  if (r.evaluations.length) specs.metrics = metricCurvesSpec(r);
  if (r.trainable.series.length) specs["trainable-parameters"] = trainableParamsSpec(r);
  const stepTime = downsample(s.series.steps, s.series.stepTime).map(([step, value]) => ({
    step,
    value,
    series: "step time",
  }));
  if (stepTime.length) specs["step-time"] = seriesLineSpec("Step time", "seconds", stepTime);
  const cells = r.parameters.filter((p) => matrixPosition(p.name) !== null);
  if (cells.length) specs["freezing-heatmap"] = heatmapWithTooltip(r);
  const frozenCells = cells.filter((p) => s.frozen.has(p.name)).length;
  return {
    summary: run.summary(),
    config: run.runConfig(),
    heatmap: { cells: cells.length, frozen: frozenCells },
    specs,
  };
}

export interface CompareView {
  runs: RunSummary[];
  /** Metric names of the final evaluations, in first-seen order (the table's columns). */
  metrics: string[];
  /** Config fields (dotted paths) whose values differ between the runs; one value per run. */
  configDiff: { key: string; values: (string | null)[] }[];
  specs: Record<string, TopLevelSpec>;
}

export function compareView(runs: RunFolder[]): CompareView {
  const summaries = runs.map((r) => r.summary());
  const label = (r: RunFolder) => r.id.split("/").pop()!;
  const specs: Record<string, TopLevelSpec> = {};
  const overlay = (pick: (r: RunFolder) => [number, number][]) =>
    runs.flatMap((r) => pick(r).map(([step, value]) => ({ step, value, series: label(r) })));
  specs.loss = seriesLineSpec(
    "Training loss",
    "loss",
    overlay((r) => downsample(r.state.series.steps, r.state.series.loss)),
    "run",
  );
  const metric = summaries.find((s) => s.best)?.best?.metric ?? null;
  if (metric) {
    const values = overlay((r) =>
      r.state.evals.filter((e) => typeof e.metrics[metric] === "number").map((e) => [e.step, e.metrics[metric]!]),
    );
    specs.metric = seriesLineSpec(`Evaluation ${metric}`, metric, values, "run");
  }
  specs["trainable-parameters"] = seriesLineSpec(
    "Trainable parameters (classifier excluded)",
    "trainable parameters",
    overlay((r) => downsample(r.state.series.steps, r.state.series.trainable)),
    "run",
  );
  specs.lr = seriesLineSpec(
    "Learning rate",
    "learning rate",
    overlay((r) => {
      const g = mainGroup([...r.state.series.lr.keys()]);
      return g ? downsample(r.state.series.steps, r.state.series.lr.get(g)!) : [];
    }),
    "run",
  );
  const metrics: string[] = [];
  for (const s of summaries)
    for (const m of Object.keys(s.final?.metrics ?? {})) if (!metrics.includes(m)) metrics.push(m);
  return { runs: summaries, metrics, configDiff: configDiff(runs.map((r) => r.runConfig())), specs };
}

function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(value));
}

export function configDiff(configs: Record<string, unknown>[]): { key: string; values: (string | null)[] }[] {
  const flat = configs.map((c) => {
    const m = new Map<string, string>();
    flatten(c, "", m);
    return m;
  });
  const keys = [...new Set(flat.flatMap((m) => [...m.keys()]))].sort();
  return keys
    .map((key) => ({ key, values: flat.map((m) => m.get(key) ?? null) }))
    .filter((row) => new Set(row.values).size > 1);
}
