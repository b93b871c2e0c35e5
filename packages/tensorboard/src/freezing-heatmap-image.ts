import {
  buildRunReport,
  freezingHeatmapSpec,
  matrixPosition,
  renderSvg,
  svgToPng,
  type FrozenMatrix,
  type ParameterInfo,
} from "@aflora/metrics";

/** True when the run has matrices the paper's heatmap places (adapter A/B of a known module). */
export function hasHeatmap(parameters: readonly ParameterInfo[]): boolean {
  return parameters.some((p) => matrixPosition(p.name) !== null);
}

/** The report's freezing heatmap (the same Vega-Lite spec as plots/freezing-heatmap.png) as PNG bytes. */
export async function renderFreezingHeatmapPng(
  parameters: ParameterInfo[],
  frozen: FrozenMatrix[],
): Promise<Uint8Array> {
  const report = { ...buildRunReport([], { parameters }), frozen };
  return svgToPng(await renderSvg(freezingHeatmapSpec(report)), 1);
}
