import { LTTB } from "downsample";

/** Points per curve sent to the page: enough for a chart's width, whatever the run's length. */
export const MAX_POINTS = 600;

/**
 * Picks at most `max` of the points (x ascending) with Largest-Triangle-Three-Buckets, which keeps
 * a curve's shape (peaks included); the first and last points are always kept. Non-finite values
 * are dropped first.
 */
export function downsample(xs: readonly number[], ys: readonly number[], max = MAX_POINTS): [number, number][] {
  const points: [number, number][] = [];
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(ys[i])) points.push([xs[i]!, ys[i]!]);
  if (points.length <= max) return points;
  return LTTB(points, max) as [number, number][];
}
