import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aflora, onlyRun, readJson, scratch } from "../helpers.js";

const SMALL = ["--set", "data.maxExamples=64", "--batch-size", "16", "--max-seq-length", "16", "--quiet", "--no-plots"];

describe("a diverged run", () => {
  it("stops at the first non-finite step with exit 1, names the step and the parameter, and reports diverged with no adapter", () => {
    const cwd = scratch("diverge");
    const r = aflora(["train", "--lr", "1e6", "--max-steps", "8", ...SMALL], { cwd });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^aflora: training diverged at step \d+: .*non-finite/m);
    const run = onlyRun(cwd);
    expect(readJson(join(run, "report.json")).status).toBe("diverged");
    expect(existsSync(join(run, "adapter"))).toBe(false);
  });
});

describe("a received run folder", () => {
  it("never imports the modules its config.json lists, unless trusted with --plugin or --trust-run-imports", () => {
    const cwd = scratch("untrusted");
    const r = aflora(["train", "--max-steps", "2", ...SMALL], { cwd });
    expect(r.status, r.stderr).toBe(0);
    const run = onlyRun(cwd);
    const marker = join(cwd, "ran.txt");
    const evil = join(cwd, "evil.mjs");
    writeFileSync(
      evil,
      `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(marker)}, "code ran"); export function register() {}\n`,
    );
    const config = readJson(join(run, "config.json"));
    writeFileSync(join(run, "config.json"), JSON.stringify({ ...config, imports: [evil] }));
    const e = aflora(["eval", "--run", run], { cwd });
    expect(e.status).toBe(2);
    expect(e.stderr).toContain(
      `imports: this run loads plugin code (${evil}); pass each again with --plugin <module>, or --trust-run-imports`,
    );
    expect(aflora(["train", "--resume", run], { cwd }).status).toBe(2);
    expect(existsSync(marker)).toBe(false);
    const trusted = aflora(["eval", "--run", run, "--trust-run-imports"], { cwd });
    expect(trusted.status, trusted.stderr).toBe(0);
    expect(readFileSync(marker, "utf8")).toBe("code ran");
  });
});

describe("--output pointing at a file", () => {
  it("is one config error naming the path, and writes nothing", () => {
    const cwd = scratch("outfile");
    writeFileSync(join(cwd, "runs"), "not a folder");
    const r = aflora(["train", "--output", "runs", ...SMALL], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `aflora: invalid config\noutput: ${join(cwd, "runs")} is a file, not a folder for run folders\n`,
    );
    expect(readdirSync(cwd)).toEqual(["runs"]);
  });
});
