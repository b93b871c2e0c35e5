import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { reproCommand, REPRO_SUITES } from "./repro.js";

describe("aflora repro (the packages' suites)", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it("adapter, metrics and glue-data run the packages' suites and write <out>/<suite>.md", async () => {
    expect(REPRO_SUITES).toEqual(expect.arrayContaining(["encoder", "adapter", "freezing", "metrics", "glue-data"]));
    const out = mkdtempSync(join(tmpdir(), "aflora-repro-"));
    const printed: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => (printed.push(String(s)), true));
    for (const suite of ["adapter", "metrics", "glue-data"]) await reproCommand(suite, { out });
    expect(process.exitCode).toBeUndefined();
    expect(readFileSync(join(out, "adapter.md"), "utf8")).toMatch(
      /^# aflora repro adapter: PASS\n[\s\S]*\| PASS \| AFLoRA r=4, all A\/B frozen \(d, b\) \| 83,232 \| 83,232 \|/,
    );
    expect(readFileSync(join(out, "metrics.md"), "utf8")).toMatch(
      /^# aflora repro metrics: PASS\n[\s\S]*\| PASS \| mrpc \| f1 \| f1 \|/,
    );
    expect(readFileSync(join(out, "glue-data.md"), "utf8")).toMatch(
      /^# aflora repro glue-data: PASS\n[\s\S]*\| PASS \| MNLI \| parquet \|/,
    );
    expect(printed.join("").match(/PASS: report written to /g)).toHaveLength(3);
  });

  it("glue-data on a folder without the GLUE layout fails with one clear error", async () => {
    const empty = mkdtempSync(join(tmpdir(), "aflora-repro-empty-"));
    await expect(reproCommand("glue-data", { fixtures: empty, out: empty })).rejects.toThrow(
      `${empty}: no tsv/ folder`,
    );
  });
});
