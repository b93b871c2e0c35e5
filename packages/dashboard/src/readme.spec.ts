import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { startDashboard } from "./index.js";

const cwd = process.cwd();
const dir = mkdtempSync(join(tmpdir(), "dash-readme-"));
afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

it("runs the README's example (and docs/dashboard.md's)", async () => {
  mkdirSync(join(dir, "runs"));
  process.chdir(dir);
  const dash = await startDashboard({ runsDir: "runs", port: 0 }); // port 0: any free port
  expect(dash.url).toBe(`http://127.0.0.1:${dash.port}/`);
  const res = await fetch(`${dash.url}api/runs`);
  expect(await res.json()).toEqual({ runs: [], sweeps: [] });
  await dash.close();
});
