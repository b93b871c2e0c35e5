import type { PluginRegistry } from "@aflora/core";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { FixtureFormatError, isScenarioJson, readJsonFile, validateScenario } from "./fixture-format.js";
import { replayScenario, type ScenarioResult } from "./replay-scenario.js";

export interface ReproResults {
  dir: string;
  ok: boolean;
  scenarios: ScenarioResult[];
}

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...jsonFiles(p));
    else if (entry.endsWith(".json")) out.push(p);
  }
  return out;
}

/**
 * Replays every scenario file (FORMAT.md, format version 1) under `dir` through the real
 * `aflora` scorer, `cubic` schedule and freezing controller, and compares each step with the
 * reference. JSON files that are not scenarios (index.json) are skipped; a malformed scenario
 * is a FAIL naming the file and field. Uses the current TensorFlow.js backend, or cpu if none.
 */
/** `plugins`: a registry with the scorers and schedules (the caller registers them; the scheduler never imports the scorer). */
export async function runFreezingRepro(dir: string, plugins: PluginRegistry): Promise<ReproResults> {
  let files: string[];
  try {
    files = jsonFiles(dir);
  } catch (e) {
    throw new Error(`aflora repro freezing: cannot read fixture folder "${dir}": ${(e as Error).message}`);
  }
  if (!tf.getBackend()) await tf.setBackend("cpu");
  await tf.ready();
  const scenarios: ScenarioResult[] = [];
  for (const file of files) {
    const shown = relative(process.cwd(), file) || file;
    let parsed: unknown;
    try {
      parsed = readJsonFile(file);
      if (!isScenarioJson(parsed)) continue;
      const scenario = validateScenario(shown, parsed);
      scenarios.push(replayScenario(scenario, shown, plugins));
    } catch (e) {
      if (!(e instanceof FixtureFormatError)) throw e;
      const name = (parsed as { scenario?: unknown } | undefined)?.scenario;
      scenarios.push({
        scenario: typeof name === "string" ? name : shown,
        file: shown,
        ok: false,
        message: e.message,
        stepsReplayed: 0,
        freezes: 0,
        avgTrainParams: null,
      });
    }
  }
  if (scenarios.length === 0)
    throw new Error(`aflora repro freezing: no scenario files (FORMAT.md format_version 1) under "${dir}"`);
  return { dir, ok: scenarios.every((s) => s.ok), scenarios };
}
