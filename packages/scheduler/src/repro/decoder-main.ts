#!/usr/bin/env node
// Usage: node dist/repro/decoder-main.js <fixtures root or aflora-reference-decoder folder>   (exit 1 on any FAIL)
import { existsSync } from "node:fs";
import { join } from "node:path";
// An entry script composes packages the way the CLI does: the scorers come from @aflora/scorer here.
import { PluginRegistry } from "@aflora/core";
import { register as registerScorers } from "@aflora/scorer";
import { register as registerSchedules } from "../register.js";
import { printReproResults } from "./print.js";
import { runDecoderFreezingRepro } from "./run-decoder-freezing-repro.js";

const arg = process.argv[2];
if (!arg) {
  process.stderr.write(
    "usage: node dist/repro/decoder-main.js <fixtures root (holding aflora-reference-decoder/) or that folder>\n",
  );
  process.exit(2);
}
const nested = join(arg, "aflora-reference-decoder");
const dir = existsSync(nested) ? nested : arg;
try {
  const results = await runDecoderFreezingRepro(dir, registerSchedules(registerScorers(new PluginRegistry())));
  printReproResults(results);
  process.exitCode = results.ok ? 0 : 1;
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 2;
}
