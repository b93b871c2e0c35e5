#!/usr/bin/env node
/**
 * `nx run @aflora/metrics:repro`: metric definitions, the authors' selection metric per GLUE task
 * and the FLOPs formula; exits 1 on any failed check.
 * Usage: node dist/repro/main.js [--out <dir>]   (default out: the repository's repro-reports/)
 */
import { fileURLToPath } from "node:url";
import { reproEntry } from "@aflora/core/repro";
import { runMetricsRepro } from "./metrics-suite.js";

reproEntry({
  packageName: "@aflora/metrics",
  reportName: "metrics",
  title: "metric definitions, selection metrics, FLOPs",
  defaultOut: fileURLToPath(new URL("../../../../repro-reports/", import.meta.url)),
  run: () => runMetricsRepro(),
});
