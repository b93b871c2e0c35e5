import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { FixtureFormatError, readJsonFile } from "./fixture-format.js";
import type { ScenarioResult } from "./replay-scenario.js";

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

export interface ReplayFolderOptions {
  /** The suite's command, for messages (`aflora repro freezing`). */
  command: string;
  /** What the folder should hold, for the "none found" message. */
  expected: string;
  /** True for a JSON value of this suite's scenario format (others, such as index.json, are skipped). */
  isScenario: (json: unknown) => boolean;
  /** Validates and replays one scenario; a FixtureFormatError becomes a FAIL naming the file and field. */
  replay: (shown: string, json: unknown) => ScenarioResult;
}

/**
 * Replays every scenario file under `dir` (recursively, in name order) on the current TensorFlow.js
 * backend, or cpu if none. Shared by the GLUE and the decoder freezing suites.
 */
export async function replayFixtureFolder(dir: string, o: ReplayFolderOptions): Promise<ReproResults> {
  let files: string[];
  try {
    files = jsonFiles(dir);
  } catch (e) {
    throw new Error(`${o.command}: cannot read fixture folder "${dir}": ${(e as Error).message}`);
  }
  if (!tf.getBackend()) await tf.setBackend("cpu");
  await tf.ready();
  const scenarios: ScenarioResult[] = [];
  for (const file of files) {
    const shown = relative(process.cwd(), file) || file;
    let parsed: unknown;
    try {
      parsed = readJsonFile(file);
      if (!o.isScenario(parsed)) continue;
      scenarios.push(o.replay(shown, parsed));
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
  if (scenarios.length === 0) throw new Error(`${o.command}: no ${o.expected} under "${dir}"`);
  return { dir, ok: scenarios.every((s) => s.ok), scenarios };
}
