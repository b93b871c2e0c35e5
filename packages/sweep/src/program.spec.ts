import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readJournal } from "./journal/journal-file.js";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FAKE_CLI, scratch, writeFile } from "../test/helpers.js";
import { freePort } from "./testing/redis-server.js";

const BIN = fileURLToPath(new URL("../bin/aflora-sweep.js", import.meta.url));
const sweep = (args: string[], cwd: string) =>
  spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: 120_000 });

describe("aflora-sweep (the commands as the CLI runs them)", () => {
  it("runs a sweep file, then shows its status and rebuilds its report", () => {
    const dir = scratch("bin");
    writeFile(
      dir,
      "demo.yaml",
      "name: demo-seeds\nbase: { preset: tiny }\ngrid:\n  training.seed: [1, 2, 3]\n  training.maxSteps: [8]\n",
    );
    const run = sweep(["run", "demo.yaml", "--parallel", "2", "--cli", FAKE_CLI], dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`sweep demo-seeds: 3 trials in ${join(dir, "sweeps", "demo-seeds")}`);
    expect(run.stdout).toContain("| AFLoRA | 62.00 ± 1.00 | 62.00 | 1,000 |");
    const status = sweep(["status", "sweeps/demo-seeds"], dir);
    expect(status.status).toBe(0);
    expect(status.stdout.split("\n")[0]).toBe("demo-seeds (embedded): 3 trials, 3 done");
    expect(status.stdout).toMatch(
      /\| [a-p][0-9a-f]{11} \| training\.seed=1 training\.maxSteps=8 \| done \| 1 \| 8\/8 \| 0\.6\d+ \|/,
    );
    const report = sweep(["report", "sweeps/demo-seeds"], dir);
    expect(report.status).toBe(0);
    expect(report.stdout).toContain("| AFLoRA | 62.00 ± 1.00 | 62.00 | 1,000 |");
  });

  it("says in one line, without a stack or the password, that the queue cannot be reached", async () => {
    const port = await freePort();
    const r = sweep(["worker", "--queue", `redis://admin:s3cret@127.0.0.1:${port}`, "--cli", FAKE_CLI], scratch("bin"));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `aflora: cannot use the queue at redis://admin:***@127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port} (is redis-server running there?)\n`,
    );
  });

  it("names a bad sweep file's line and field", () => {
    const dir = scratch("bin");
    writeFile(dir, "bad.yaml", "name: x\nbase: { preset: tiny }\ngrid:\n  training.seed: 3\n");
    const r = sweep(["run", "bad.yaml", "--cli", FAKE_CLI], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `aflora: ${join(dir, "bad.yaml")}:4: grid.training.seed: Invalid input: expected array, received number\n`,
    );
  });

  it("stops on Ctrl-C: the trials checkpoint, none is left running, and a re-run finishes them", async () => {
    const dir = scratch("bin");
    writeFile(
      dir,
      "slow.yaml",
      "name: slow\nbase: { preset: tiny, fake: { stepMs: 300 } }\ngrid:\n  training.seed: [1, 2, 3]\n",
    );
    // Its own process group, as a terminal's foreground job: Ctrl-C reaches the runner and its trials.
    const child = spawn(process.execPath, [BIN, "run", "slow.yaml", "--parallel", "2", "--cli", FAKE_CLI], {
      cwd: dir,
      detached: true,
      stdio: "ignore",
    });
    const sweepDir = join(dir, "sweeps", "slow");
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (
        existsSync(join(sweepDir, "sweep.json")) &&
        readJournal(sweepDir).trials.some((t) => (t.progress?.step ?? 0) >= 1)
      )
        break;
    }
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    process.kill(-child.pid!, "SIGINT");
    expect(await exited).toBe(1);
    const states = readJournal(sweepDir).trials.map((t) => t.state);
    expect(states.filter((s) => s === "interrupted")).toHaveLength(2);
    expect(states).not.toContain("running");
    const again = sweep(["run", "slow.yaml", "--cli", FAKE_CLI], dir);
    expect(again.status, again.stderr).toBe(0);
    expect(readJournal(sweepDir).trials.every((t) => t.state === "done")).toBe(true);
  });
});
