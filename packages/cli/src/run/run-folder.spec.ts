import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRunFolder } from "./run-folder.js";
import { acquireRunLock } from "./run-lock.js";

const root = mkdtempSync(join(tmpdir(), "aflora-runs-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("createRunFolder", () => {
  it("gives every run its own folder, even many in the same second", () => {
    const now = new Date("2026-11-28T17:40:39.123Z");
    const dirs = Array.from({ length: 50 }, () => createRunFolder(root, "demo", now).dir);
    expect(new Set(dirs).size).toBe(50);
    expect(readdirSync(root)).toHaveLength(50);
    expect(dirs[0]).toMatch(/2026-11-28T17-40-39Z-demo-[0-9a-f]{6}$/);
  });
});

describe("acquireRunLock", () => {
  it("refuses a folder held by a live process and takes over a stale lock", () => {
    const lock = join(root, ".lock");
    const release = acquireRunLock(lock);
    expect(() => acquireRunLock(lock)).toThrow(`${lock}: the run is in use by process ${process.pid}`);
    release();
    expect(existsSync(lock)).toBe(false);
    writeFileSync(lock, "999999999"); // no such process: a run killed with SIGKILL
    const again = acquireRunLock(lock);
    again();
  });
});
