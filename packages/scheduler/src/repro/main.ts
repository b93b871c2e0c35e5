#!/usr/bin/env node
// Usage: node dist/repro/main.js <fixture folder>   (exit status 1 on any FAIL)
import { printReproResults } from "./print.js";
import { runFreezingRepro } from "./run-freezing-repro.js";

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: node dist/repro/main.js <folder of AFLoRA reference scenarios>\n");
  process.exit(2);
}
try {
  const results = await runFreezingRepro(dir);
  printReproResults(results);
  process.exitCode = results.ok ? 0 : 1;
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 2;
}
