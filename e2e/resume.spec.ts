import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aflora, events, onlyRun, readJson, scratch, startAflora } from "./helpers.js";

const ARGS = [
  "train",
  "--set",
  "data.maxExamples=240",
  "--batch-size",
  "16",
  "--max-seq-length",
  "32",
  "--checkpoint-every",
  "5",
  "--quiet",
];

/** Waits until `events.jsonl` of the only run under `cwd` has a checkpoint:saved at or after `step`. */
async function waitForCheckpoint(cwd: string, step: number): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (!existsSync(join(cwd, "runs"))) continue;
    try {
      const file = join(onlyRun(cwd), "events.jsonl");
      if (
        existsSync(file) &&
        readFileSync(file, "utf8")
          .split("\n")
          .some((l) => l.includes('"checkpoint:saved"') && JSON.parse(l).step >= step)
      )
        return;
    } catch {
      /* the folder is being created */
    }
  }
  throw new Error("no checkpoint within 120 s");
}

const exited = (p: ReturnType<typeof startAflora>) =>
  new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) => {
    let stdout = "";
    p.stdout!.on("data", (d) => (stdout += d));
    p.on("exit", (code, signal) => resolve({ code, signal, stdout }));
  });

describe("safe runs", () => {
  it("a run killed with SIGKILL resumes from its last checkpoint and ends with the same numbers as an uninterrupted run", async () => {
    // On the native backend, `aflora train`'s default path (the other e2e runs use wasm).
    const native = { env: { AFLORA_BACKEND: "native" } };
    const cwd = scratch("kill");
    const child = startAflora(ARGS, cwd, native.env);
    const done = exited(child);
    await waitForCheckpoint(cwd, 10);
    child.kill("SIGKILL");
    expect((await done).signal).toBe("SIGKILL");
    const run = onlyRun(cwd);
    expect(existsSync(join(run, "report.json"))).toBe(false);

    // npm test provisions the BLAS; resume keeps the backend and its thread count.
    const compute = readJson(join(run, "config.json")).compute;
    expect(compute.backend).toBe("native");
    const resumed = aflora(["train", "--resume", run, "--quiet"], { cwd, ...native });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toBe("");
    const report = readJson(join(run, "report.json"));
    expect(report.status).toBe("completed");
    expect(report.segments).toBe(2);
    expect(report.steps.done).toBe(report.steps.total);
    expect(
      events(run)
        .filter((e) => e.type === "run:start")
        .map((e) => e.startStep)[1],
    ).toBeGreaterThanOrEqual(10);
    // Checkpoints keep only what trains (the frozen base is rebuilt from its source) and at most
    // the latest and the best, as the authors' save_total_limit 2.
    const checkpoints = readdirSync(join(run, "checkpoints")).filter((n) => n.startsWith("checkpoint-"));
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(checkpoints.length).toBeLessThanOrEqual(2);
    const latest = readFileSync(join(run, "checkpoints", "latest"), "utf8").trim();
    const stored: string[] = readJson(join(run, "checkpoints", latest, "state.json")).parameters;
    expect(stored).toContain("classifier.weight");
    expect(stored.some((n) => n.endsWith(".lora_A.weight"))).toBe(true);
    expect(stored.some((n) => n.includes("word_embeddings"))).toBe(false);

    const straightCwd = scratch("straight");
    expect(aflora(ARGS, { cwd: straightCwd, ...native }).status).toBe(0);
    const straight = readJson(join(onlyRun(straightCwd), "report.json"));
    expect(readJson(join(run, "config.json")).compute).toEqual(compute);
    expect(readJson(join(onlyRun(straightCwd), "config.json")).compute).toEqual(compute);
    expect(report.loss).toEqual(straight.loss);
    expect(report.evaluations).toEqual(straight.evaluations);
    expect(report.frozen).toEqual(straight.frozen);
  });

  it("Ctrl-C (SIGINT) saves a checkpoint, exits cleanly with 130 and says how to resume", async () => {
    const cwd = scratch("sigint");
    const child = startAflora(ARGS, cwd);
    const done = exited(child);
    await waitForCheckpoint(cwd, 5);
    child.kill("SIGINT");
    const { code, stdout } = await done;
    expect(code).toBe(130);
    const run = onlyRun(cwd);
    expect(stdout).toContain(`aflora train --resume runs/${run.split("/").pop()}`);
    const ev = events(run);
    const end = ev.findLastIndex((e) => e.type === "run:end");
    expect(end).toBeGreaterThan(0);
    expect(ev.slice(0, end).some((e) => e.type === "checkpoint:saved" && e.step === ev[end]!.step)).toBe(true);
    expect(readJson(join(run, "report.json")).status).toBe("interrupted");
    expect(aflora(["train", "--resume", run, "--quiet"], { cwd }).status).toBe(0);
    expect(readJson(join(run, "report.json")).status).toBe("completed");
  });

  it("never lets two runs share a folder, and refuses to resume a folder without a checkpoint", () => {
    const cwd = scratch("noresume");
    const r = aflora(["train", "--resume", join(cwd, "nothing-here")], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("is not an aflora run folder");
  });
});
