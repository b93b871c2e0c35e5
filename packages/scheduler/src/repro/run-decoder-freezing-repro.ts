import type { PluginRegistry } from "@aflora/core";
import { isDecoderScenarioJson, validateDecoderScenario } from "./decoder-fixture-format.js";
import { replayDecoderScenario } from "./decoder-replay-scenario.js";
import { replayFixtureFolder, type ReproResults } from "./replay-folder.js";

/**
 * Replays every decoder scenario (`aflora-reference-decoder` FORMAT.md, version 1) under `dir`
 * through the real decoder scorer, schedule and controller. JSON files that are not decoder
 * scenarios (index.json) are skipped; a malformed scenario is a FAIL naming file and field.
 * `plugins` holds the scorers and schedules (the caller registers them).
 */
export function runDecoderFreezingRepro(dir: string, plugins: PluginRegistry): Promise<ReproResults> {
  return replayFixtureFolder(dir, {
    command: "aflora repro freezing-decoder",
    expected: 'decoder scenario files (format "aflora-reference-decoder")',
    isScenario: isDecoderScenarioJson,
    replay: (shown, json) => replayDecoderScenario(validateDecoderScenario(shown, json), shown, plugins),
  });
}
