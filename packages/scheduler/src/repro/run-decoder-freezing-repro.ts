import type { PluginRegistry } from "@aflora/core";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { isDecoderScenarioJson, validateDecoderScenario } from "./decoder-fixture-format.js";
import { replayDecoderScenario } from "./decoder-replay-scenario.js";
import { FixtureFormatError, readJsonFile } from "./fixture-format.js";
import type { ScenarioResult } from "./replay-scenario.js";
import type { ReproResults } from "./run-freezing-repro.js";

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
 * Replays every decoder scenario (`aflora-reference-decoder` FORMAT.md, version 1) under `dir`
 * through the real decoder scorer, schedule and controller. JSON files that are not decoder
 * scenarios (index.json) are skipped; a malformed scenario is a FAIL naming file and field.
 */
/** `plugins`: a registry with the scorers and schedules (the caller registers them; the scheduler never imports the scorer). */
export async function runDecoderFreezingRepro(dir: string, plugins: PluginRegistry): Promise<ReproResults> {
  let files: string[];
  try {
    files = jsonFiles(dir);
  } catch (e) {
    throw new Error(`aflora repro freezing-decoder: cannot read fixture folder "${dir}": ${(e as Error).message}`);
  }
  if (!tf.getBackend()) await tf.setBackend("cpu");
  await tf.ready();
  const scenarios: ScenarioResult[] = [];
  for (const file of files) {
    const shown = relative(process.cwd(), file) || file;
    let parsed: unknown;
    try {
      parsed = readJsonFile(file);
      if (!isDecoderScenarioJson(parsed)) continue;
      scenarios.push(replayDecoderScenario(validateDecoderScenario(shown, parsed), shown, plugins));
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
    throw new Error(
      `aflora repro freezing-decoder: no decoder scenario files (format "aflora-reference-decoder") under "${dir}"`,
    );
  return { dir, ok: scenarios.every((s) => s.ok), scenarios };
}
