#!/usr/bin/env node
/**
 * `nx run @aflora/adapter:repro`: the paper's parameter counts on DeBERTaV3-base. Prints the
 * report, writes it to `<out>/adapter.md` (atomically) and exits 1 if a count differs.
 * Usage: node dist/repro/main.js [fixturesDir] [--out <dir>]   (default out: the repository's repro-reports/)
 */
import { mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { writeFileAtomicSync } from "@aflora/core";
import { runParamsRepro } from "./params-suite.js";

const DEFAULT_OUT = fileURLToPath(new URL("../../../../repro-reports/", import.meta.url));

function main(args: string[]): number {
  const { values, positionals } = parseArgs({ args, options: { out: { type: "string" } }, allowPositionals: true });
  const fixtures = positionals[0] === undefined ? undefined : resolve(positionals[0]);
  const started = Date.now();
  const result = runParamsRepro(fixtures);
  const status = result.ok ? "PASS" : "FAIL";
  const out = resolve(values.out ?? DEFAULT_OUT);
  mkdirSync(out, { recursive: true });
  const file = join(out, "adapter.md");
  const header = `# @aflora/adapter repro (the paper's parameter counts): ${status}\n\ntime: ${((Date.now() - started) / 1000).toFixed(1)} s\n\n`;
  writeFileAtomicSync(file, header + result.text + "\n");
  process.stdout.write(`${result.text}\n\n${status}: @aflora/adapter repro (parameter counts); report written to ${relative(process.cwd(), file)}\n`);
  return result.ok ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 1;
}
