import { join } from "node:path";
import { formatReproResults, runDecoderFreezingRepro, runFreezingRepro } from "@aflora/scheduler/repro";
import type { SuiteResult } from "./suite.js";
import { createPluginRegistry } from "../plugins.js";

/** Scorer + schedule + controller replayed against the authors' freezing traces (fixtures/aflora-reference). */
export async function freezingSuite(fixtures: string): Promise<SuiteResult> {
  const results = await runFreezingRepro(join(fixtures, "aflora-reference"), createPluginRegistry());
  return { ok: results.ok, text: formatReproResults(results) };
}

/** The decoder variant's freezing replayed against the authors' LLaMA Pruner traces (fixtures/aflora-reference-decoder). */
export async function freezingDecoderSuite(fixtures: string): Promise<SuiteResult> {
  const results = await runDecoderFreezingRepro(join(fixtures, "aflora-reference-decoder"), createPluginRegistry());
  return { ok: results.ok, text: formatReproResults(results) };
}
