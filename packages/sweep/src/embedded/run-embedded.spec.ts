import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FAKE_CLI, quiet, scratch, writeFile } from "../../test/helpers.js";
import { sweepRun } from "../commands/sweep-run.js";
import { readJournal, updateTrial } from "../journal/journal-file.js";
import { resultsTable } from "../report/render-markdown.js";
import { availableParallelism } from "node:os";
import { defaultParallel } from "./run-embedded.js";

const GRID = `name: methods
base: { preset: tiny }
grid:
  adapter.name: [aflora, lora]
  training.seed: [1, 2, 3]
`;
const run = (file: string, extra: Parameters<typeof sweepRun>[1] = {}) =>
  sweepRun(file, { cliBin: FAKE_CLI, parallel: 2, log: quiet, plot: false, ...extra });
const events = (runDir: string) =>
  readFileSync(join(runDir, "events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

describe("embedded sweeps", () => {
  it("runs cores ÷ threads per trial at a time by default, at least one", () => {
    expect(defaultParallel(1)).toBe(availableParallelism());
    expect(defaultParallel(2)).toBe(Math.max(1, Math.floor(availableParallelism() / 2)));
    expect(defaultParallel(10_000)).toBe(1);
  });

  it("runs each trial into its own run folder, journals it, reports mean ± std over seeds, skips it next time", async () => {
    const dir = scratch();
    const r = await run(writeFile(dir, "s.yaml", GRID));
    expect(r.ok).toBe(true);
    const j = readJournal(r.dir);
    expect(j.trials).toHaveLength(6);
    for (const t of j.trials) {
      expect(t.state).toBe("done");
      expect(t.attempts).toHaveLength(1);
      expect(t.attempts[0]!.outcome).toBe("done");
      expect(t.runDir).toMatch(new RegExp(`${r.dir}/.*-${t.id}-[0-9a-f]{6}$`));
      expect(t.progress?.step).toBe(6);
      expect(existsSync(join(t.runDir!, "report.json"))).toBe(true);
    }
    // Fake accuracy = 0.5 + 10·lr + seed/100 at lr 0.01: seeds 1, 2, 3 → 61, 62, 63 (×100), std 1.
    expect(resultsTable(r.report!.table)).toBe(
      [
        "| Method | RTE (accuracy) | Avg | Avg trainable params |",
        "|---|---|---|---|",
        "| AFLoRA | 62.00 ± 1.00 | 62.00 | 1,000 |",
        "| LoRA | 62.00 ± 1.00 | 62.00 | 2,000 |",
      ].join("\n"),
    );
    for (const f of ["report.md", "report.csv", "report-seeds.csv", "report.json"])
      expect(existsSync(join(r.dir, f))).toBe(true);
    expect(readFileSync(join(r.dir, "report.csv"), "utf8").split("\n")[1]).toBe(
      "AFLoRA,rte,accuracy,62.0000,1.0000,3,0,0,62.0000,1000.0," +
        (r.report!.table.rows[0]!.timePerTrialMs! / 1000).toFixed(2),
    );
    expect(readdirSync(r.dir).filter((f) => f.includes(".tmp") || f.endsWith(".lock"))).toEqual([]);

    const again = await run(join(dir, "s.yaml"));
    expect(readJournal(again.dir).trials.map((t) => t.attempts.length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(resultsTable(again.report!.table)).toBe(resultsTable(r.report!.table));
  });

  it("isolates crashing and killed trials: recorded failed with their log tail, the others finish", async () => {
    const dir = scratch();
    const file = writeFile(
      dir,
      "s.yaml",
      `name: crashes
base:
  preset: tiny
  fake: { crash: { "2": { kind: kill, atStep: 3 }, "3": { kind: exit, atStep: 1 } }, badConfig: [4] }
retries: 0
grid:
  training.seed: [1, 2, 3, 4]
`,
    );
    const r = await run(file);
    expect(r.ok).toBe(false);
    const [ok, killed, crashed, bad] = readJournal(r.dir).trials;
    expect(ok!.state).toBe("done");
    expect(killed!.state).toBe("failed");
    expect(killed!.error!.message).toBe("killed by SIGKILL (out of memory, or killed)");
    expect(killed!.error!.logTail).toContain("crashing at step 3");
    expect(killed!.attempts[0]!.signal).toBe("SIGKILL");
    expect(crashed!.state).toBe("failed");
    expect(crashed!.error!.message).toBe("exited with code 1: Error: something broke");
    expect(bad!.error!.message).toMatch(/^exited with code 2: aflora: invalid config/);
    expect(readFileSync(join(r.dir, "logs", `${crashed!.id}.log`), "utf8")).toContain("crashing at step 1");
    const md = r.report!.markdown;
    expect(md).toContain("| AFLoRA | 1 | 61.00 |");
    expect(md).toContain("| AFLoRA | 2 | failed |");
    expect(md).toContain("| AFLoRA | 4 | failed |");
    expect(resultsTable(r.report!.table).split("\n")[2]).toBe("| AFLoRA | 61.00 (3 failed) | 61.00 | 1,000 |");
    expect(md).toContain("## Failed trials");

    // A re-run keeps the finished trial and tries the failed ones again (the killed one resumes).
    const again = await run(file);
    const after = readJournal(again.dir).trials;
    expect(after.map((t) => t.attempts.length)).toEqual([1, 2, 2, 2]);
    expect(after[1]!.attempts[1]!.resumedFromStep).toBe(2);
  });

  it("resumes a killed trial from its last checkpoint, with the losses of an uninterrupted run", async () => {
    const dir = scratch();
    const marker = join(dir, "crashed-once");
    const r = await run(
      writeFile(
        dir,
        "s.yaml",
        `name: resume
base: { preset: tiny }
retries: 1
trials:
  - { training.seed: 5 }
  - { training.seed: 5, fake.crash: { "5": { kind: kill, atStep: 3, once: ${JSON.stringify(marker)} } } }
`,
      ),
    );
    expect(r.ok).toBe(true);
    const [plain, resumed] = readJournal(r.dir).trials;
    expect(resumed!.attempts.map((a) => [a.outcome, a.signal, a.resumedFromStep])).toEqual([
      ["failed", "SIGKILL", undefined],
      ["done", null, 2],
    ]);
    expect(readdirSync(r.dir).filter((d) => d.includes(resumed!.id))).toHaveLength(1);
    const losses = (d: string) => JSON.parse(readFileSync(join(d, "report.json"), "utf8")).loss;
    expect(losses(resumed!.runDir!)).toEqual(losses(plain!.runDir!));
    // Steps 0-2 ran before the kill; the resumed attempt went on from checkpoint 2.
    expect(
      events(resumed!.runDir!)
        .filter((e) => e.type === "run:start")
        .map((e) => e.startStep),
    ).toEqual([0, 2]);
  });

  it("stops on abort: running trials checkpoint and are interrupted, and the next run finishes them", async () => {
    const dir = scratch();
    const file = writeFile(
      dir,
      "s.yaml",
      "name: stop\nbase: { preset: tiny, fake: { stepMs: 300 } }\ngrid:\n  training.seed: [1, 2, 3]\n",
    );
    const stop = new AbortController();
    const p = run(file, { parallel: 2, signal: stop.signal });
    const sweepDir = join(dir, "sweeps", "stop");
    while (
      !existsSync(join(sweepDir, "sweep.json")) ||
      !readJournal(sweepDir).trials.some((t) => (t.progress?.step ?? 0) >= 1)
    ) {
      await new Promise((res) => setTimeout(res, 100));
    }
    stop.abort();
    const r = await p;
    expect(r.ok).toBe(false);
    const states = readJournal(r.dir).trials.map((t) => t.state);
    expect(states.filter((s) => s === "interrupted")).toHaveLength(2);
    expect(states.filter((s) => s === "pending")).toHaveLength(1);
    expect((await run(file)).ok).toBe(true);
  });

  it("keeps every concurrent journal update (the lock serialises writers)", async () => {
    const dir = scratch();
    const r = await run(writeFile(dir, "s.yaml", "name: lock\nbase: { preset: tiny }\ngrid:\n  training.seed: [1]\n"));
    const id = readJournal(r.dir).trials[0]!.id;
    await Promise.all(Array.from({ length: 20 }, () => updateTrial(r.dir, id, (t) => void (t.elapsedMs += 1))));
    expect(readJournal(r.dir).trials[0]!.elapsedMs).toBe(readJournal(r.dir).trials[0]!.attempts[0]!.elapsedMs! + 20);
  });
});
