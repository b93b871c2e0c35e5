import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { aflora, events, onlyRun, readJson, REPO, scratch } from "./helpers.js";

describe("a third-party plugin module loaded by config (docs/writing-a-plugin.md)", () => {
  it("trains with the example scorer and run plugin, chosen by name", () => {
    const cwd = scratch("plugin");
    const file = join(cwd, "exp.yaml");
    writeFileSync(
      file,
      [
        "preset: demo",
        `imports: [${join(REPO, "docs/examples/last-gradient-scorer.mjs")}]`,
        "data: { name: spam-assassin, maxExamples: 240 }",
        "scorer: { name: last-gradient }",
        "plugins: [{ name: freeze-log, prefix: '[freeze] ' }]",
        "training: { batchSize: 16, maxSeqLength: 32 }",
        "",
      ].join("\n"),
    );
    const r = aflora(["train", "--config", file, "--quiet", "--no-plots"], { cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[freeze\] step \d+: froze \d+ \(\d+ trainable left\)/);
    const run = onlyRun(cwd);
    expect(readJson(join(run, "report.json")).facts).toMatchObject({ scorer: "last-gradient" });
    expect(events(run).some((e) => e.type === "params:frozen")).toBe(true);
  });
});
