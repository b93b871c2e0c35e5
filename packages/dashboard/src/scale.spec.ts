import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { buildRunReport, parseEventLines } from "@aflora/metrics";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_POINTS } from "./downsample.js";
import { rawRequest } from "./http-client.js";
import { startDashboard, type Dashboard } from "./server.js";
import { makeRun } from "./test-runs.js";

const RUNS = 100;
const STEPS = 10_000;
const root = mkdtempSync(join(tmpdir(), "dash-scale-"));
let dash: Dashboard;

beforeAll(async () => {
  // One 10k-step run written out, hard-linked into 100 run folders: 100 files to read, one on disk.
  const first = makeRun(root, "run-000", { steps: STEPS });
  // As the CLI does at the end of a run: report.json from events.jsonl.
  const report = buildRunReport(parseEventLines(readFileSync(join(first, "events.jsonl"), "utf8")));
  writeFileSync(join(first, "report.json"), JSON.stringify(report));
  for (let i = 1; i < RUNS; i++) {
    const dir = join(root, `run-${String(i).padStart(3, "0")}`);
    mkdirSync(dir);
    for (const f of ["events.jsonl", "config.json", "parameters.json", "report.json"])
      linkSync(join(first, f), join(dir, f));
  }
  writeFileSync(join(root, "README"), "scale test");
  dash = await startDashboard({ runsDir: root, port: 0 });
});
afterAll(async () => {
  await dash.close();
  rmSync(root, { recursive: true, force: true });
});

async function timed(path: string): Promise<{ ms: number; bytes: number; body: string }> {
  const t = performance.now();
  const r = await rawRequest(dash.port, path);
  expect(r.status).toBe(200);
  return { ms: performance.now() - t, bytes: Buffer.byteLength(r.body), body: r.body };
}

const pointsPerSeries = (body: string) => {
  const specs = (JSON.parse(body) as { specs: Record<string, { data?: { values: { series?: string }[] } }> }).specs;
  return Object.fromEntries(
    Object.entries(specs).map(([k, s]) => {
      const values = s.data?.values ?? [];
      const bySeries = new Map<string, number>();
      for (const v of values) bySeries.set(v.series ?? "", (bySeries.get(v.series ?? "") ?? 0) + 1);
      return [k, Math.max(0, ...bySeries.values())];
    }),
  );
};

describe(`${RUNS} runs of ${STEPS} steps`, () => {
  it("lists finished runs from their report.json, without reading events.jsonl", async () => {
    const cold = await timed("/api/runs");
    const runs = (JSON.parse(cold.body) as { runs: { status: string; step: number }[] }).runs;
    expect(runs).toHaveLength(RUNS);
    expect(runs.every((r) => r.status === "finished" && r.step === STEPS)).toBe(true);
    const warm = await timed("/api/runs");
    console.log(
      `list: cold ${cold.ms.toFixed(0)} ms, warm ${warm.ms.toFixed(0)} ms, ${(warm.bytes / 1024).toFixed(0)} KiB`,
    );
    // Parses 100 report.json of ~2 MB each once (JSON.parse bound); later listings use the cache.
    expect(cold.ms).toBeLessThan(30_000);
    expect(warm.ms).toBeLessThan(1500);
  });

  it("sends one run downsampled: every curve at most MAX_POINTS points", async () => {
    const cold = await timed("/api/run?id=run-042"); // reads its events.jsonl once
    const run = await timed("/api/run?id=run-042");
    console.log(`run view cold (10k steps parsed): ${cold.ms.toFixed(0)} ms`);
    const points = pointsPerSeries(run.body);
    console.log(
      `run view: ${run.ms.toFixed(0)} ms, ${(run.bytes / 1024).toFixed(0)} KiB, points ${JSON.stringify(points)}`,
    );
    for (const [chart, n] of Object.entries(points))
      if (chart !== "freezing-heatmap" && chart !== "metrics") expect(n, chart).toBe(MAX_POINTS);
    expect(run.bytes).toBeLessThan(400 * 1024);
    expect(run.ms).toBeLessThan(1500);
  });

  it("compares 8 of them with downsampled overlaid curves", async () => {
    const ids = [0, 10, 20, 30, 40, 50, 60, 70].map((i) => `run-${String(i).padStart(3, "0")}`);
    // The first compare reads the 8 events.jsonl files (7 of them not read yet); the next only what was appended.
    const cold = await timed(`/api/compare?ids=${ids.join(",")}`);
    const cmp = await timed(`/api/compare?ids=${ids.join(",")}`);
    console.log(
      `compare 8: cold ${cold.ms.toFixed(0)} ms, warm ${cmp.ms.toFixed(0)} ms, ${(cmp.bytes / 1024).toFixed(0)} KiB`,
    );
    expect(pointsPerSeries(cmp.body).loss).toBe(MAX_POINTS);
    expect(cmp.bytes).toBeLessThan(1024 * 1024);
    expect(cold.ms).toBeLessThan(30_000);
    expect(cmp.ms).toBeLessThan(1500);
  });
});
