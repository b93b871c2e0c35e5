import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { readConfigFile } from "./read-config-file.js";
import { ConfigError } from "./config-error.js";

/** packages/cli/presets (shipped with the package; dist/config/… and src/config/… both sit two levels below). */
export const PRESETS_DIR = fileURLToPath(new URL("../../presets/", import.meta.url));

/** Every preset name, e.g. `demo`, `glue/rte`. */
export function listPresets(dir = PRESETS_DIR): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
      if (e.isDirectory()) walk(sub ? `${sub}/${e.name}` : e.name);
      else if (e.name.endsWith(".json")) out.push((sub ? `${sub}/` : "") + e.name.replace(/\.json$/, ""));
    }
  };
  walk("");
  return out.sort();
}

/** Loads a preset by name (`glue/rte`); an unknown name lists the known ones. */
export function loadPreset(name: string, dir = PRESETS_DIR): Record<string, unknown> {
  const file = join(dir, `${name}.json`);
  if (!/^[a-z0-9/_-]+$/.test(name) || !existsSync(file)) {
    throw new ConfigError(`--preset: expected one of ${listPresets(dir).join(", ")} (got "${name}")`);
  }
  const preset = readConfigFile(file);
  delete preset.$comment;
  return preset;
}
