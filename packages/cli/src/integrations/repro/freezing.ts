import { join } from "node:path";
import { formatReproResults, runFreezingRepro } from "@aflora/scheduler";
import type { SuiteResult } from "./suite.js";

/** Scorer + schedule + controller replayed against the authors' freezing traces (fixtures/aflora-reference). */
export async function freezingSuite(fixtures: string): Promise<SuiteResult> {
  const results = await runFreezingRepro(join(fixtures, "aflora-reference"));
  return { ok: results.ok, text: formatReproResults(results) };
}
