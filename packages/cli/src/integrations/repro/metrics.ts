import type { SuiteResult } from "./suite.js";

/** Metric definitions and the FLOPs formula, as @aflora/metrics checks them. */
export async function metricsSuite(fixtures: string): Promise<SuiteResult> {
  const metrics = (await import("@aflora/metrics")) as unknown as { runMetricsRepro?: (fixtures: string) => Promise<SuiteResult> };
  if (!metrics.runMetricsRepro) return { ok: false, text: "@aflora/metrics exports no runMetricsRepro in this build" };
  return metrics.runMetricsRepro(fixtures);
}
