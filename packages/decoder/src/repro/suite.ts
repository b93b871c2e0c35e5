import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import type { ReproResult } from "@aflora/core/repro";
import { checkDecoderFixture, listDecoderFixtures, type DecoderFixtureResult } from "./parity.js";

/** The folder under the fixtures root that this suite checks. */
export const DECODER_FIXTURES_FOLDER = "hf-parity-decoder";

export interface DecoderReproOptions {
  /** TF.js backends to run on, each must be registered (default ["wasm", "cpu"]). */
  backends?: readonly string[];
}

/**
 * `aflora repro decoder [--fixtures <root>]`: checks every folder of `<root>/hf-parity-decoder/`
 * (tokenization, right/left-padded forwards, loss, gradients, greedy decoding) on each backend.
 * `ok` is false on any mismatch or any folder that fails to load.
 */
export async function runDecoderRepro(
  fixturesRoot: string,
  options: DecoderReproOptions = {},
): Promise<ReproResult & { results: DecoderFixtureResult[] }> {
  const dir = join(fixturesRoot, DECODER_FIXTURES_FOLDER);
  const names = listDecoderFixtures(dir);
  if (names.length === 0) throw new Error(`${dir}: no fixture folders (each needs config.json and expected.json)`);
  const results: DecoderFixtureResult[] = [];
  const previous = tf.getBackend();
  try {
    for (const backend of options.backends ?? ["wasm", "cpu"]) {
      if (!(await tf.setBackend(backend)))
        throw new Error(`TensorFlow.js backend "${backend}" could not be initialised`);
      for (const name of names) results.push(await checkDecoderFixture(join(dir, name), name));
    }
  } finally {
    if (previous && tf.getBackend() !== previous) await tf.setBackend(previous);
  }
  return { ok: results.every((r) => r.pass), text: formatDecoderResults(results), results };
}

/** One Markdown table row per fixture and backend, then every failed check. */
export function formatDecoderResults(results: readonly DecoderFixtureResult[]): string {
  const lines = ["| fixture | backend | result | checks | worst (error / tolerance) |", "|---|---|---|---|---|"];
  const failures: string[] = [];
  for (const r of results) {
    const worst = r.checks
      .filter((c) => c.tolerance > 0)
      .reduce<{ q: string; ratio: number } | null>((w, c) => {
        const ratio = c.error / c.tolerance;
        return !w || ratio > w.ratio ? { q: c.quantity, ratio } : w;
      }, null);
    const passed = r.checks.filter((c) => c.pass).length;
    lines.push(
      `| ${r.fixture} | ${r.backend} | ${r.pass ? "PASS" : "FAIL"} | ${passed}/${r.checks.length} | ${worst ? `${worst.q}: ${worst.ratio.toExponential(2)}` : "-"} |`,
    );
    if (r.error) failures.push(`- ${r.fixture} (${r.backend}): ${r.error}`);
    for (const c of r.checks)
      if (!c.pass)
        failures.push(`- ${r.fixture} (${r.backend}): ${c.quantity}: error ${c.error} > tolerance ${c.tolerance}`);
  }
  return [...lines, ...(failures.length > 0 ? ["", "Failures:", ...failures] : [])].join("\n");
}
