import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";

export const REPO = fileURLToPath(new URL("..", import.meta.url));
export const AFLORA = join(REPO, "packages/cli/bin/aflora.js");

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `aflora <args>` in a fresh Node process (cwd: a scratch folder unless given). */
export function aflora(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): CliResult {
  const r = spawnSync(process.execPath, [AFLORA, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, AFLORA_BACKEND: "wasm", ...options.env },
    encoding: "utf8",
    timeout: options.timeoutMs ?? 220_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `aflora <args>` without waiting (for signals). */
export function startAflora(args: string[], cwd: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [AFLORA, ...args], {
    cwd,
    env: { ...process.env, AFLORA_BACKEND: "wasm", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

const scratchDirs: string[] = [];
// Each spec file gets its own copy of this module: its scratch folders go when the file is done
// (set AFLORA_E2E_KEEP=1 to look at the run folders afterwards).
afterAll(() => {
  if (!process.env.AFLORA_E2E_KEEP) for (const d of scratchDirs) rmSync(d, { recursive: true, force: true });
});

export function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `aflora-e2e-${prefix}-`));
  scratchDirs.push(dir);
  return dir;
}

/** The only run folder under `<parent>/runs`. */
export function onlyRun(parent: string): string {
  const runs = readdirSync(join(parent, "runs"));
  if (runs.length !== 1)
    throw new Error(`expected one run folder in ${parent}/runs, found ${runs.join(", ") || "none"}`);
  return join(parent, "runs", runs[0]!);
}

export function readJson<T = any>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

export function events(runDir: string): { type: string; [k: string]: any }[] {
  return readFileSync(join(runDir, "events.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}
