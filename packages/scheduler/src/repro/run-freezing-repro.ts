import type { PluginRegistry } from "@aflora/core";
import { isScenarioJson, validateScenario } from "./fixture-format.js";
import { replayFixtureFolder, type ReproResults } from "./replay-folder.js";
import { replayScenario } from "./replay-scenario.js";

export type { ReproResults } from "./replay-folder.js";

/**
 * Replays every scenario file (FORMAT.md, format version 1) under `dir` through the real
 * `aflora` scorer, `cubic` schedule and freezing controller, and compares each step with the
 * reference. JSON files that are not scenarios (index.json) are skipped; a malformed scenario
 * is a FAIL naming the file and field. `plugins` holds the scorers and schedules (the caller
 * registers them: the scheduler never imports the scorer).
 */
export function runFreezingRepro(dir: string, plugins: PluginRegistry): Promise<ReproResults> {
  return replayFixtureFolder(dir, {
    command: "aflora repro freezing",
    expected: "scenario files (FORMAT.md format_version 1)",
    isScenario: isScenarioJson,
    replay: (shown, json) => replayScenario(validateScenario(shown, json), shown, plugins),
  });
}
