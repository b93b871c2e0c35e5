import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_CLI, quiet, scratch } from "../../test/helpers.js";
import { runWorker } from "../queue/run-worker.js";
import { startRedisServer, type RedisServer } from "../testing/redis-server.js";
import { reproAll, reproSuites } from "./repro-all.js";

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server.stop();
});

describe("aflora repro all", () => {
  it("runs each suite through the sweep runner and writes one report with pass/fail per suite", async () => {
    const out = scratch("repro");
    const suites = reproSuites(["encoder", "failing", "metrics"], out);
    expect(suites[0]).toEqual({ name: "encoder", args: ["repro", "encoder", "--out", out] });
    const r = await reproAll({ suites, output: out, cliBin: FAKE_CLI, parallel: 2, log: quiet });
    expect(r.ok).toBe(false);
    expect(r.suites.map((s) => [s.name, s.ok, s.report])).toEqual([
      ["encoder", true, join(out, "encoder.md")],
      ["failing", false, join(out, "failing.md")],
      ["metrics", true, join(out, "metrics.md")],
    ]);
    const md = readFileSync(join(out, "repro-all", "repro-all.md"), "utf8");
    expect(md.split("\n")[0]).toBe("# aflora repro all: FAIL");
    expect(md).toContain("2 of 3 suites passed (on this machine).");
    expect(md).toMatch(/\| failing \| FAIL \| [\d.]+s \|/);
    expect(md).toContain("failing: FAIL: values differ");

    // The same suites through the queue: every one runs again (a check's result is not cached).
    const worker = await runWorker({ queue: server.url, cliBin: FAKE_CLI, concurrency: 2, log: quiet });
    const q = await reproAll({
      suites: suites.filter((s) => s.name !== "failing"),
      output: out,
      queue: server.url,
      cliBin: FAKE_CLI,
      log: quiet,
    });
    await worker.close();
    expect(q.ok).toBe(true);
    expect(q.suites.map((s) => s.name)).toEqual(["encoder", "metrics"]);
    expect(q.markdown).toContain(`2 of 2 suites passed (queue redis://127.0.0.1:${server.port}).`);
    const journal = JSON.parse(readFileSync(join(out, "repro-all", "sweep.json"), "utf8"));
    expect(journal.trials.map((t: { attempts: unknown[] }) => t.attempts.length)).toEqual([2, 2]);
  });
});
