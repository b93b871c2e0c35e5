import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/instruct-data/presets (shipped with the package; src/presets/… and dist/presets/… both sit two levels below). */
export const DECODER_PRESETS_DIR = fileURLToPath(new URL("../../presets/", import.meta.url));

/** The decoder presets this package ships: `llama-tiny-demo`, `llama_7b_math_aflora`. */
export function listDecoderPresets(dir = DECODER_PRESETS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.replace(/\.json$/, ""))
    .sort();
}

/** One preset as a run config object (its `$comment` dropped); an unknown name lists the known ones. */
export function loadDecoderPreset(name: string, dir = DECODER_PRESETS_DIR): Record<string, unknown> {
  const known = listDecoderPresets(dir);
  if (!known.includes(name)) throw new Error(`--preset: expected one of ${known.join(", ")} (got "${name}")`);
  const preset = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as Record<string, unknown>;
  delete preset["$comment"];
  return preset;
}
