import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runReproMain } from "./repro-main.js";

describe("runReproMain", () => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("writes the report with its status, passes the fixtures folder and returns the exit code", async () => {
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const out = mkdtempSync(join(tmpdir(), "aflora-repro-"));
    dirs.push(out);
    const seen: (string | undefined)[] = [];
    const options = { packageName: "@aflora/x", reportName: "x", title: "a check", defaultOut: join(out, "unused") };
    const pass = await runReproMain(["/some/fixtures", "--out", out], {
      ...options,
      run: (f) => (seen.push(f), { ok: true, text: "| ok |" }),
    });
    expect(pass).toBe(0);
    expect(seen).toEqual(["/some/fixtures"]);
    const report = readFileSync(join(out, "x.md"), "utf8");
    expect(report).toMatch(/^# @aflora\/x repro \(a check\): PASS\n\nfixtures: \/some\/fixtures\ntime: /);
    expect(report).toContain("| ok |");

    const fail = await runReproMain(["--out", out], { ...options, run: () => ({ ok: false, text: "FAIL row" }) });
    expect(fail).toBe(1);
    expect(readFileSync(join(out, "x.md"), "utf8")).toMatch(/: FAIL\n/);
  });
});
