import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { acquireRunLock } from "./run-lock.js";

const dir = mkdtempSync(join(tmpdir(), "run-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that is certainly not running (the highest pid Linux allows, plus one). */
const DEAD = 4_194_305;

describe("the run folder's lock", () => {
  it("refuses a live holder and takes over a stale one", () => {
    const path = join(dir, "a.lock");
    const release = acquireRunLock(path);
    expect(() => acquireRunLock(path)).toThrow(`${path}: the run is in use by process ${process.pid}`);
    release();
    writeFileSync(path, String(DEAD));
    const again = acquireRunLock(path);
    expect(readFileSync(path, "utf8")).toBe(String(process.pid));
    again();
    expect(existsSync(path)).toBe(false);
  });

  it("lets exactly one of many processes racing for the same stale lock hold it", async () => {
    // The racers run the real module, transpiled to plain JavaScript (Node 20 runs no TypeScript).
    const source = readFileSync(fileURLToPath(new URL("./run-lock.ts", import.meta.url)), "utf8");
    const module = join(dir, "run-lock.mjs");
    writeFileSync(
      module,
      ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } })
        .outputText,
    );
    for (let round = 0; round < 5; round++) {
      const path = join(dir, `race-${round}.lock`);
      writeFileSync(path, String(DEAD));
      // Each racer tries once, reports, and keeps holding until told to exit.
      const script = `const { acquireRunLock } = await import(${JSON.stringify(module)});
        let held = false; try { acquireRunLock(${JSON.stringify(path)}); held = true; } catch {}
        process.stdout.write(held ? "held" : "refused"); setTimeout(() => {}, 1500);`;
      const racers = Array.from(
        { length: 6 },
        () =>
          new Promise<string>((resolve) => {
            const p = spawn(process.execPath, ["--input-type=module", "-e", script], {
              stdio: ["ignore", "pipe", "ignore"],
            });
            let out = "";
            p.stdout.on("data", (d) => (out += d));
            p.on("exit", () => resolve(out));
          }),
      );
      const outcomes = await Promise.all(racers);
      expect(
        outcomes.filter((o) => o === "held"),
        `round ${round}: ${outcomes.join(",")}`,
      ).toHaveLength(1);
    }
  }, 60_000);
});
