import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { SweepError } from "../errors.js";

/**
 * The aflora CLI entry trials run with: the given path, else AFLORA_CLI_BIN, else the installed
 * @aflora/cli's bin/aflora.js. (Looked up at run time: @aflora/cli depends on this package, not
 * the other way round.)
 */
export function resolveCliBin(cliBin?: string): string {
  const given = cliBin ?? process.env.AFLORA_CLI_BIN;
  if (given) {
    const path = resolve(given);
    if (!existsSync(path)) throw new SweepError(`cliBin: ${path} not found`);
    return path;
  }
  const cliPackage = ["@aflora", "cli", "package.json"].join("/");
  for (const from of [join(process.cwd(), "noop.js"), import.meta.filename]) {
    try {
      const pkg = createRequire(from).resolve(cliPackage);
      const bin = join(dirname(pkg), "bin", "aflora.js");
      if (existsSync(bin)) return bin;
    } catch {
      // not installed from there
    }
  }
  throw new SweepError("cannot find the aflora CLI: pass cliBin or set AFLORA_CLI_BIN to packages/cli/bin/aflora.js");
}

/** The CLI's presets folder (packages/cli/presets, beside its bin/). */
export function presetsDirOf(cliBin: string): string {
  return join(dirname(cliBin), "..", "presets");
}

/** Sweep presets shipped with this package (`paper-glue`). */
export const SWEEP_PRESETS_DIR = join(import.meta.dirname, "..", "..", "presets");
