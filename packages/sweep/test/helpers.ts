import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";
import { presetsDirOf, resolveCliBin } from "../src/commands/cli-bin.js";

/** The stand-in CLI of these tests (its presets: test/presets). */
export const FAKE_CLI = fileURLToPath(new URL("./fixtures/fake-aflora.mjs", import.meta.url));
export const FAKE_PRESETS = fileURLToPath(new URL("./presets/", import.meta.url));
/** The real CLI's presets, found from the installed @aflora/cli as a sweep finds them at run time. */
export const CLI_PRESETS = presetsDirOf(resolveCliBin());

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export function scratch(prefix = "sweep"): string {
  const d = mkdtempSync(join(tmpdir(), `aflora-${prefix}-`));
  dirs.push(d);
  return d;
}

export function writeFile(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

export const quiet = () => {};
