#!/usr/bin/env node
// Usage: node dist/repro/main.js <fixture folder>   (exit status 1 on any FAIL)
// An entry script composes packages the way the CLI does: the scorers come from @aflora/scorer here.
import { PluginRegistry } from "@aflora/core";
import { register as registerScorers } from "@aflora/scorer";
import { register as registerSchedules } from "../register.js";
import { printReproResults } from "./print.js";
import { runFreezingRepro } from "./run-freezing-repro.js";

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: node dist/repro/main.js <folder of AFLoRA reference scenarios>\n");
  process.exit(2);
}
try {
  const results = await runFreezingRepro(dir, registerSchedules(registerScorers(new PluginRegistry())));
  printReproResults(results);
  process.exitCode = results.ok ? 0 : 1;
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 2;
}
