import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { ConfigError } from "../config/config-error.js";
import { join, resolve } from "node:path";

/** `2026-11-28T17-40-39Z` — sortable, and valid in file names on every OS. */
export function timestampForName(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/:/g, "-");
}

/**
 * Creates a new, unique run folder `<parent>/<timestamp>-<name>-<random>`. The final
 * mkdir is exclusive (no `recursive`), so two runs can never share a folder: a clash
 * (same second, same random suffix) fails with EEXIST and a new suffix is drawn.
 */
export function createRunFolder(parent: string, name = "run", now: Date = new Date()): { dir: string; runId: string } {
  const root = resolve(parent);
  if (existsSync(root) && !statSync(root).isDirectory())
    throw new ConfigError(`output: ${root} is a file, not a folder for run folders`);
  mkdirSync(root, { recursive: true });
  for (let attempt = 0; attempt < 16; attempt++) {
    const runId = `${timestampForName(now)}-${name}-${randomBytes(3).toString("hex")}`;
    const dir = join(root, runId);
    try {
      mkdirSync(dir);
      return { dir, runId };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  throw new Error(`${root}: could not create a unique run folder`);
}

/** Paths inside a run folder. */
export function runPaths(dir: string) {
  return {
    dir,
    config: join(dir, "config.json"),
    events: join(dir, "events.jsonl"),
    parameters: join(dir, "parameters.json"),
    metrics: join(dir, "metrics.jsonl"),
    checkpoints: join(dir, "checkpoints"),
    adapter: join(dir, "adapter"),
    model: join(dir, "model"),
    reportJson: join(dir, "report.json"),
    reportMarkdown: join(dir, "report.md"),
    lock: join(dir, ".lock"),
  };
}

export function assertRunFolder(dir: string): void {
  if (!existsSync(join(dir, "config.json"))) throw new Error(`${dir}: not an aflora run folder (no config.json)`);
}
