import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rawRequest } from "./http-client.js";
import { serveDashboard } from "./serve.js";

const root = mkdtempSync(join(tmpdir(), "dash-serve-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("serveDashboard (aflora dashboard)", () => {
  it("prints the URL on loopback, and closes when aborted", async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const dash = await serveDashboard({ runsDir: root, port: 0, write: (l) => lines.push(l), signal: stop.signal });
    expect(lines).toEqual([`aflora dashboard: http://127.0.0.1:${dash.port}/  (runs: ${root})`]);
    expect((await rawRequest(dash.port, "/api/runs")).status).toBe(200);
    stop.abort();
    await new Promise((r) => setTimeout(r, 100));
    await expect(rawRequest(dash.port, "/api/runs")).rejects.toThrow(/ECONNREFUSED/);
  });

  it("prints the random access token when bound to another host", async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const dash = await serveDashboard({
      runsDir: root,
      port: 0,
      host: "0.0.0.0",
      write: (l) => lines.push(l),
      signal: stop.signal,
    });
    expect(lines[0]).toBe(`aflora dashboard: http://0.0.0.0:${dash.port}/?token=${dash.token}  (runs: ${root})`);
    expect(lines[1]).toBe(`access token: ${dash.token}`);
    expect((await rawRequest(dash.port, "/api/runs")).status).toBe(401);
    stop.abort();
  });
});
