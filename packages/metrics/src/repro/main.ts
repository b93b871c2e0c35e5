#!/usr/bin/env node
/**
 * `nx run @aflora/metrics:repro`: metric definitions, the authors' selection metric per GLUE task
 * and the FLOPs formula. Prints the report, writes it to `<out>/metrics.md` (atomically) and
 * exits 1 on any failed check.
 * Usage: node dist/repro/main.js [--out <dir>]   (default out: the repository's repro-reports/)
 */
import { mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { writeFileAtomicSync } from "@aflora/core";
import { runMetricsRepro } from "./metrics-suite.js";

const DEFAULT_OUT = fileURLToPath(new URL("../../../../repro-reports/", import.meta.url));

function main(args: string[]): number {
  const { values } = parseArgs({ args, options: { out: { type: "string" } } });
  const started = Date.now();
  const result = runMetricsRepro();
  const status = result.ok ? "PASS" : "FAIL";
  const out = resolve(values.out ?? DEFAULT_OUT);
  mkdirSync(out, { recursive: true });
  const file = join(out, "metrics.md");
  const header = `# @aflora/metrics repro (metric definitions, selection metrics, FLOPs): ${status}\n\ntime: ${((Date.now() - started) / 1000).toFixed(1)} s\n\n`;
  writeFileAtomicSync(file, header + result.text + "\n");
  process.stdout.write(`${result.text}\n\n${status}: @aflora/metrics repro (metric definitions, FLOPs); report written to ${relative(process.cwd(), file)}\n`);
  return result.ok ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 1;
}
