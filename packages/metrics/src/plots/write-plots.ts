import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { TopLevelSpec } from "vega-lite";
import type { RunReport } from "../report/run-report.js";
import { writeFileAtomicSync as writeFileAtomic } from "@aflora/core";
import { renderSvg, svgToPng } from "./render.js";
import { freezingHeatmapSpec, lossCurveSpec, metricCurvesSpec, trainableParamsSpec } from "./specs.js";
import { matrixPosition } from "./matrix-position.js";

/** The plots a run has data for, by file stem. */
export function runPlotSpecs(r: RunReport): Record<string, TopLevelSpec> {
  const specs: Record<string, TopLevelSpec> = {};
  if (r.loss.length) specs.loss = lossCurveSpec(r);
  if (r.evaluations.length) specs.metrics = metricCurvesSpec(r);
  if (r.trainable.series.length) specs["trainable-parameters"] = trainableParamsSpec(r);
  if (r.parameters.some((p) => matrixPosition(p.name))) specs["freezing-heatmap"] = freezingHeatmapSpec(r);
  return specs;
}

/** Writes `<stem>.svg` and `<stem>.png` for each plot into `dir`; returns stem → SVG path relative to `dir`'s parent. */
export async function writeRunPlots(
  r: RunReport,
  dir: string,
  relativePrefix = "plots",
): Promise<Record<string, string>> {
  const written: Record<string, string> = {};
  mkdirSync(dir, { recursive: true });
  for (const [stem, spec] of Object.entries(runPlotSpecs(r))) {
    const svg = await renderSvg(spec);
    writeFileAtomic(join(dir, `${stem}.svg`), svg);
    writeFileAtomic(join(dir, `${stem}.png`), svgToPng(svg));
    written[stem] = `${relativePrefix}/${stem}.svg`;
  }
  return written;
}
