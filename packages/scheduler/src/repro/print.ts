import type { ReproResults } from "./run-freezing-repro.js";

/** One `PASS`/`FAIL` line per scenario (FAIL lines carry the first divergence), then a total. */
export function formatReproResults(results: ReproResults): string {
  const width = Math.max(...results.scenarios.map((s) => s.scenario.length));
  const lines = results.scenarios.map((s) => `${s.ok ? "PASS" : "FAIL"}  ${s.scenario.padEnd(width)}  ${s.message}`);
  const failed = results.scenarios.filter((s) => !s.ok).length;
  lines.push(
    failed === 0
      ? `${results.scenarios.length} scenarios passed (${results.dir})`
      : `${failed} of ${results.scenarios.length} scenarios FAILED (${results.dir})`,
  );
  return lines.join("\n");
}

export function printReproResults(
  results: ReproResults,
  write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): void {
  write(formatReproResults(results));
}
