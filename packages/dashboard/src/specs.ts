import type { TopLevelSpec } from "vega-lite";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
const SIZE = { width: "container" as const, height: 220 };

/** A line per series of `{ step, value, series }` rows; the dashboard's own curves (LR, step time, compare). */
export function seriesLineSpec(
  title: string,
  yTitle: string,
  values: { step: number; value: number; series: string }[],
  seriesTitle = "series",
): TopLevelSpec {
  const several = new Set(values.map((v) => v.series)).size > 1;
  return {
    $schema: SCHEMA,
    title,
    ...SIZE,
    data: { values },
    mark: { type: "line", tooltip: true },
    encoding: {
      x: { field: "step", type: "quantitative" },
      y: { field: "value", type: "quantitative", title: yTitle, scale: { zero: false } },
      ...(several ? { color: { field: "series", type: "nominal", title: seriesTitle } } : {}),
    },
  } as TopLevelSpec;
}
