import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { startDashboard, type Dashboard } from "@aflora/dashboard";
import { readJson, REPO, scratch, startAflora } from "./helpers.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = join(REPO, "packages/dashboard/test-artifacts");
// The demo, small: 64 training messages (2 steps per epoch), 4 epochs, freezing scored every 2 steps,
// so matrices freeze at steps 4 and 6 while the page watches.
const SMALL = [
  "--set",
  "data.maxExamples=80",
  "--set",
  "scorer.deltaT=2",
  "--epochs",
  "4",
  "--max-seq-length",
  "32",
  "--eval-every",
  "1",
  "--no-plots",
  "--quiet",
];

async function waitFor<T>(what: string, get: () => T | null | undefined, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== null && v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const runFolder = (root: string, name: string) =>
  readdirSync(root).find((d) => d.includes(`-${name}-`) && existsSync(join(root, d, "events.jsonl")));

describe("aflora dashboard in Chromium", () => {
  const root = join(scratch("dashboard"), "runs");
  mkdirSync(root);
  let dash: Dashboard;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const children = [
    startAflora(["train", ...SMALL, "--max-steps", "2", "--name", "other", "--output", root], REPO),
    startAflora(["train", ...SMALL, "--name", "live", "--output", root], REPO),
  ];
  const exited = children.map((c) => new Promise<number | null>((resolve) => c.on("exit", (code) => resolve(code))));

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install the Debian package chromium (apt-get install chromium)`,
      );
    mkdirSync(ARTIFACTS, { recursive: true });
    dash = await startDashboard({ runsDir: root, port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(e.message));
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await browser?.close();
    await dash?.close();
  });

  it("shows a training run live: the step counter and the frozen-cell count grow without a reload", async () => {
    const id = await waitFor("the live run's folder", () => runFolder(root, "live"));
    await page.goto(`${dash.url}#/run/${encodeURIComponent(id)}`);
    await page.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));
    await page.waitForSelector("#step-counter");
    const read = () =>
      page.evaluate(() => [
        Number(document.getElementById("step-counter")?.textContent),
        Number(document.getElementById("frozen-count")?.textContent),
      ]);
    const steps = new Set<number>();
    const frozen = new Set<number>();
    let shot = false;
    const done = exited[1]!.then(() => true);
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      const [s, f] = await read();
      steps.add(s!);
      frozen.add(f!);
      if (!shot && f! > 0) {
        // What docs/images/dashboard.png shows: the run page mid-training, freezing under way.
        await page.screenshot({ path: join(ARTIFACTS, "dashboard-run-live.png") });
        shot = true;
      }
      await page.waitForTimeout(150);
    }
    expect(await exited[1]).toBe(0);
    // The last update arrives after the process ends; wait for the finished status.
    await page.waitForFunction(() => document.querySelector("h1 .status")?.textContent === "finished", undefined, {
      timeout: 15_000,
    });
    const [lastStep, lastFrozen] = await read();
    steps.add(lastStep!);
    frozen.add(lastFrozen!);
    const report = readJson(join(root, id, "report.json"));
    expect(lastStep).toBe(report.steps.done);
    expect(lastFrozen).toBe(report.frozen.length);
    expect(lastFrozen).toBeGreaterThan(0);
    // Seen growing: several step values, and frozen counts from 0 to the final one.
    expect([...steps].filter((s) => s < lastStep!).length).toBeGreaterThanOrEqual(2);
    expect(frozen.has(0)).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);

    // The heatmap's hover names the matrix and the step it froze at.
    const first = report.frozen[0] as { name: string; step: number };
    const cell = page.locator(`#chart-freezing-heatmap svg path[aria-label*="matrix: ${first.name};"]`).last();
    await cell.scrollIntoViewIfNeeded();
    const box = (await cell.boundingBox())!;
    await page.mouse.move(box.x + 1, box.y + 1);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
    const tooltip = page.locator("#vg-tooltip-element.visible");
    await expect.poll(() => tooltip.textContent()).toContain(first.name);
    const text = (await tooltip.textContent())!;
    expect(text).toContain(`frozen at step${first.step}`);
    expect(text).toContain("statefrozen");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-run.png"), fullPage: true });
  });

  it("compares the two finished runs (the table holds their report.json numbers) and shows a sweep of them", async () => {
    expect(await exited[0]).toBe(0);
    const ids = [runFolder(root, "live")!, runFolder(root, "other")!].sort();
    await page.goto(`${dash.url}#/`);
    await page.waitForSelector("#runs-table");
    for (const id of ids) {
      await expect.poll(() => page.locator(`tr[data-run-row="${id}"] .status`).textContent()).toBe("finished");
      await page.locator(`input[data-run="${id}"]`).check();
    }
    await page.locator("#compare-button").click();
    await page.waitForSelector("#compare-table");
    await page.waitForSelector("#chart-loss svg");
    for (const id of ids) {
      const report = readJson(join(root, id, "report.json"));
      const value = (field: string) =>
        page.locator(`#compare-table td[data-run="${id}"][data-field="${field}"]`).getAttribute("data-value");
      expect(Number(await value("steps"))).toBe(report.steps.done);
      expect(Number(await value("averageTrainable"))).toBe(report.trainable.stepAveraged);
      expect(Number(await value("wallTimeMs"))).toBe(report.wallTimeMs);
      expect(Number(await value("best"))).toBe(report.best.value);
      for (const [metric, v] of Object.entries(report.final.metrics as Record<string, number>))
        expect(Number(await value(`final.${metric}`))).toBe(v);
    }
    // The config differences name what differs: the run name and max steps.
    const diff = await page.locator("#config-diff").textContent();
    expect(diff).toContain("training.maxSteps");
    expect(diff).toContain("name");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-compare.png"), fullPage: true });

    // A sweep journal (as the sweep runner writes sweep.json) lists its trials with links to their runs.
    mkdirSync(join(root, "sweep-demo"));
    const trials = ids.map((id, i) => ({
      id: `t${i}`,
      label: `name=${id.includes("-live-") ? "live" : "other"}`,
      state: "done",
      attempts: [{}],
      elapsedMs: 1000,
      runDir: `../${id}`,
    }));
    writeFileSync(join(root, "sweep-demo", "sweep.json"), JSON.stringify({ version: 1, name: "demo-sweep", trials }));
    await page.goto(`${dash.url}#/`);
    await page.locator("#sweeps-table a", { hasText: "demo-sweep" }).click();
    await page.waitForSelector("#sweep-table");
    for (const id of ids)
      await expect.poll(() => page.locator(`#sweep-table a[href="#/run/${encodeURIComponent(id)}"]`).count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-sweep.png"), fullPage: true });
    await page.goto(`${dash.url}#/`);
    await page.waitForSelector("#runs-table");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-list.png"), fullPage: true });
  });

  it("logged no console errors", () => {
    expect(consoleErrors).toEqual([]);
  });
});
