#!/usr/bin/env node
/**
 * `nx run @aflora/adapter:repro`: the paper's parameter counts on DeBERTaV3-base; exits 1 if a count differs.
 * Usage: node dist/repro/main.js [fixturesDir] [--out <dir>]   (default out: the repository's repro-reports/)
 */
import { fileURLToPath } from "node:url";
import { reproEntry } from "@aflora/core/repro";
import { runParamsRepro } from "./params-suite.js";

reproEntry({
  packageName: "@aflora/adapter",
  reportName: "adapter",
  title: "the paper's parameter counts",
  defaultOut: fileURLToPath(new URL("../../../../repro-reports/", import.meta.url)),
  run: (fixtures) => runParamsRepro(fixtures),
});
