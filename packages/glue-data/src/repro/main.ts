#!/usr/bin/env node
/**
 * `nx run @aflora/glue-data:repro`: every GLUE task of a fixture folder loads with the authors'
 * label set, text fields, metrics and selection metric, and the metrics match hand-computed
 * values; exits 1 on failure.
 * Usage: node dist/repro/main.js [fixturesDir] [--out <dir>]
 *   (defaults: the repository's fixtures/glue-tiny and repro-reports/)
 */
import { fileURLToPath } from "node:url";
import { reproEntry } from "@aflora/core/repro";
import { runGlueDataRepro } from "./glue-data-suite.js";

const REPO = new URL("../../../../", import.meta.url);

reproEntry({
  packageName: "@aflora/glue-data",
  reportName: "glue-data",
  title: "GLUE tasks as the authors' code",
  defaultFixtures: fileURLToPath(new URL("fixtures/glue-tiny/", REPO)),
  defaultOut: fileURLToPath(new URL("repro-reports/", REPO)),
  run: (fixtures) => runGlueDataRepro(fixtures!),
});
