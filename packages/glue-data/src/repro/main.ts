#!/usr/bin/env node
/**
 * `nx run @aflora/glue-data:repro`: every GLUE task of a fixture folder loads with the authors'
 * label set, text fields, metrics and selection metric, and the metrics match hand-computed
 * values. Prints the report, writes it to `<out>/glue-data.md` (atomically), exits 1 on failure.
 * Usage: node dist/repro/main.js [fixturesDir] [--out <dir>]
 *   (defaults: the repository's fixtures/glue-tiny and repro-reports/)
 */
import { mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { writeFileAtomic } from "@aflora/core";
import { runGlueDataRepro } from "./glue-data-suite.js";

const REPO = new URL("../../../../", import.meta.url);

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { out: { type: "string" } }, allowPositionals: true });
  const fixtures = resolve(positionals[0] ?? fileURLToPath(new URL("fixtures/glue-tiny/", REPO)));
  const started = Date.now();
  const result = await runGlueDataRepro(fixtures);
  const status = result.ok ? "PASS" : "FAIL";
  const out = resolve(values.out ?? fileURLToPath(new URL("repro-reports/", REPO)));
  mkdirSync(out, { recursive: true });
  const file = join(out, "glue-data.md");
  const header = `# @aflora/glue-data repro (GLUE tasks as the authors' code): ${status}\n\nfixtures: ${fixtures}\ntime: ${((Date.now() - started) / 1000).toFixed(1)} s\n\n`;
  await writeFileAtomic(file, header + result.text + "\n");
  process.stdout.write(`${result.text}\n\n${status}: @aflora/glue-data repro (GLUE tasks, metrics); report written to ${relative(process.cwd(), file)}\n`);
  return result.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 1;
  },
);
