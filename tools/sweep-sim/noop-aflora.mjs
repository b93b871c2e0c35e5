#!/usr/bin/env node
// A no-op `aflora train` for the queue measurement: it makes the run folder a real run would
// (config.json, report.json) and exits, so what is timed is the sweep machinery alone.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";

const args = process.argv.slice(2);
const flag = (n) => args[args.indexOf(n) + 1];
const config = JSON.parse(readFileSync(flag("--config"), "utf8"));
const dir = join(resolve(flag("--output")), `2026-01-01T00-00-00Z-${flag("--name")}-${randomBytes(3).toString("hex")}`);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "config.json"), JSON.stringify(config));
process.stderr.write(`run folder: ${dir}\n`);
writeFileSync(
  join(dir, "report.json"),
  JSON.stringify({
    status: "completed",
    best: { metric: "accuracy", value: 0.5, metrics: { accuracy: 0.5 } },
    trainable: { stepAveraged: 1 },
    error: null,
  }),
);
