import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest, readEvents } from "./http-client.js";
import { startDashboard, type Dashboard } from "./server.js";
import { makeRun, MATRICES, stepLines } from "./test-runs.js";
import type { CompareView, RunView } from "./views.js";

const base = realpathSync(mkdtempSync(join(tmpdir(), "dash-server-")));
const root = join(base, "runs");
mkdirSync(root);
writeFileSync(join(base, "secret.txt"), "secret");
makeRun(root, "run-a", { steps: 12 });
makeRun(root, "run-b", { steps: 8, method: "lora", lr: 0.002 });
makeRun(join(root, "sweep1", "trials"), "t1", { steps: 4 });
writeFileSync(
  join(root, "sweep1", "sweep.json"),
  JSON.stringify({
    version: 1,
    name: "lr-sweep",
    updatedAt: "2026-01-01T00:00:00Z",
    trials: [
      {
        id: "t1",
        label: "training.lr=0.001",
        state: "done",
        attempts: [{}],
        elapsedMs: 1200,
        runDir: "trials/t1",
        progress: { step: 4, totalSteps: 4, eval: { accuracy: 0.75 } },
      },
      {
        id: "t2",
        label: "training.lr=0.01",
        state: "failed",
        attempts: [{}, {}],
        elapsedMs: 300,
        runDir: null,
        error: { message: "diverged" },
      },
    ],
  }),
);
symlinkSync(join(base, "secret.txt"), join(root, "run-a", "leak.txt"));
symlinkSync(base, join(root, "outside"));

let dash: Dashboard;
beforeAll(async () => {
  dash = await startDashboard({ runsDir: root, port: 0 });
});
afterAll(async () => {
  await dash.close();
  rmSync(base, { recursive: true, force: true });
});

const get = async <T>(path: string): Promise<T> => {
  const r = await rawRequest(dash.port, path);
  expect(r.status, `${path}: ${r.body}`).toBe(200);
  return JSON.parse(r.body) as T;
};

describe("startDashboard on loopback", () => {
  it("binds 127.0.0.1 without a token", () => {
    expect(dash.url).toBe(`http://127.0.0.1:${dash.port}/`);
    expect(dash.token).toBeNull();
  });

  it("lists runs (sweep trials included, symlinked folders not followed) and sweeps", async () => {
    const list = await get<{
      runs: { id: string; status: string; method: string; task: string; best: unknown; averageTrainable: number }[];
      sweeps: { id: string; trials: number; failed: number }[];
    }>("/api/runs");
    expect(list.runs.map((r) => r.id)).toEqual(["run-a", "run-b", "sweep1/trials/t1"]);
    expect(list.runs[1]).toMatchObject({
      status: "finished",
      method: "lora",
      task: "glue/rte",
      best: { metric: "accuracy", value: 0.75, step: 8 },
      averageTrainable: 800,
    });
    expect(list.sweeps).toEqual([
      { id: "sweep1", name: "lr-sweep", trials: 2, done: 1, failed: 1, running: 0, updatedAt: "2026-01-01T00:00:00Z" },
    ]);
  });

  it("serves a run's view: the report's charts, LR and step time, a heatmap whose tooltip names matrix and step", async () => {
    const view = await get<RunView>("/api/run?id=run-a");
    expect(Object.keys(view.specs).sort()).toEqual([
      "freezing-heatmap",
      "loss",
      "lr",
      "metrics",
      "step-time",
      "trainable-parameters",
    ]);
    expect(view.heatmap).toEqual({ cells: 8, frozen: 1 });
    const heat = view.specs["freezing-heatmap"] as unknown as {
      data: { values: { matrix: string; step: number | null; state: string }[] };
      layer: { encoding: { tooltip: { field: string }[] } }[];
    };
    expect(heat.data.values.find((c) => c.matrix === MATRICES[0])).toMatchObject({ step: 3, state: "frozen" });
    expect(heat.layer.every((l) => l.encoding.tooltip.map((t) => t.field).join() === "matrix,step,state")).toBe(true);
  });

  it("compares 2-8 runs: table values, config differences, overlaid curves", async () => {
    const view = await get<CompareView>("/api/compare?ids=run-a,run-b");
    expect(view.runs.map((r) => [r.id, r.step, r.final?.metrics.accuracy])).toEqual([
      ["run-a", 12, 0.75],
      ["run-b", 8, 0.75],
    ]);
    expect(view.configDiff).toEqual([
      { key: "method", values: ['"aflora"', '"lora"'] },
      { key: "training.lr", values: ["0.001", "0.002"] },
    ]);
    const loss = view.specs.loss as unknown as { data: { values: { series: string }[] } };
    expect(new Set(loss.data.values.map((v) => v.series))).toEqual(new Set(["run-a", "run-b"]));
    expect((await rawRequest(dash.port, "/api/compare?ids=run-a")).status).toBe(400);
    expect((await rawRequest(dash.port, `/api/compare?ids=${Array(9).fill("run-a").join(",")}`)).status).toBe(400);
  });

  it("shows a sweep's journal with a link to each trial's run", async () => {
    const sweep = await get<{ trials: { id: string; runId: string | null; error: string | null }[] }>(
      "/api/sweep?id=sweep1",
    );
    expect(sweep.trials.map((t) => [t.id, t.runId, t.error])).toEqual([
      ["t1", "sweep1/trials/t1", null],
      ["t2", null, "diverged"],
    ]);
  });

  it("serves files under the runs folder and the page with its charting libraries", async () => {
    const events = await rawRequest(dash.port, "/files/run-a/config.json");
    expect(events.status).toBe(200);
    expect(events.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(events.headers["content-security-policy"]).toContain("sandbox");
    const page = await rawRequest(dash.port, "/");
    expect(page.body).toContain('<script src="/vendor/vega-embed.min.js">');
    for (const lib of ["vega", "vega-lite", "vega-embed"])
      expect((await rawRequest(dash.port, `/vendor/${lib}.min.js`)).status).toBe(200);
  });

  it.each([
    "/files/../secret.txt",
    "/files/%2e%2e/secret.txt",
    "/files/%2E%2E%2Fsecret.txt",
    "/files/run-a/../../secret.txt",
    "/files/run-a/%2e%2e/%2e%2e/secret.txt",
    "/files/run-a%2f..%2f..%2fsecret.txt",
    "/files/run-a/leak.txt",
    "/files/outside/secret.txt",
    "/files//etc/passwd",
    "/files/%2fetc%2fpasswd",
    "/files/run-a",
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/api/run?id=..%2Fsecret.txt",
    "/api/run?id=outside",
    "/api/run/stream?id=../runs/run-a",
    "/api/sweep?id=..",
    "/vendor/../package.json",
  ])("refuses %s with 404", async (path) => {
    const r = await rawRequest(dash.port, path);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain("secret");
  });

  it.each(["POST", "PUT", "DELETE", "PATCH"])("has no write endpoints: %s is 405", async (method) => {
    for (const path of ["/api/runs", "/files/run-a/config.json", "/"]) {
      const r = await rawRequest(dash.port, path, { method });
      expect(r.status).toBe(405);
      expect(r.headers.allow).toBe("GET, HEAD");
    }
    expect(readFileSync(join(root, "run-a", "config.json"), "utf8")).toContain('"aflora"');
  });

  it("refuses a request addressed to another host name (DNS rebinding)", async () => {
    expect((await rawRequest(dash.port, "/api/runs", { headers: { Host: "evil.example:80" } })).status).toBe(403);
    expect((await rawRequest(dash.port, "/api/runs", { headers: { Host: `localhost:${dash.port}` } })).status).toBe(
      200,
    );
  });
});

describe("live updates over Server-Sent Events", () => {
  it("sends a snapshot, then an update per append; half-written and malformed lines are skipped", async () => {
    const dir = join(root, "live");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "parameters.json"),
      JSON.stringify(MATRICES.map((name) => ({ name, group: "adapter-matrix", size: 16, trainable: true }))),
    );
    writeFileSync(join(dir, ".lock"), String(process.pid));
    const t0 = 1_700_000_000_000;
    writeFileSync(
      join(dir, "events.jsonl"),
      `${JSON.stringify({ type: "run:start", runId: "live", totalSteps: 6, stepsPerEpoch: 6, epochs: 1, startStep: 0, time: t0 })}\n${stepLines(0, 2, t0)}`,
    );
    const steps: number[] = [];
    const frozen: number[] = [];
    let stage = 0;
    const events = await readEvents(dash.port, "/api/run/stream?id=live", (event, data) => {
      const view = data as RunView;
      steps.push(view.summary.step);
      frozen.push(view.heatmap.frozen);
      if (event === "snapshot" && stage === 0) {
        stage = 1;
        expect(view.summary.status).toBe("running");
        // More steps, a freeze, a malformed line and the first half of the next step.
        const next = stepLines(2, 4, t0).split("\n");
        appendFileSync(
          join(dir, "events.jsonl"),
          `${next.join("\n")}{oops\n${JSON.stringify({ type: "params:frozen", step: 3, names: [MATRICES[1], MATRICES[2]], reason: "x", time: t0 + 399 })}\n{"type":"step:start","st`,
        );
        return false;
      }
      if (stage === 1 && view.summary.step === 4) {
        stage = 2;
        expect(view.summary.skippedLines).toBe(1);
        appendFileSync(
          join(dir, "events.jsonl"),
          `ep":4,"epoch":0,"time":${t0 + 400}}\n${stepLines(4, 6, t0).split("\n").slice(1).join("\n")}`,
        );
        return false;
      }
      return stage === 2 && view.summary.step === 6;
    });
    expect(events[0]!.event).toBe("snapshot");
    expect(events.slice(1).every((e) => e.event === "update")).toBe(true);
    expect(steps[0]).toBe(2);
    expect(steps.at(-1)).toBe(6);
    expect(frozen[0]).toBe(0);
    expect(frozen.at(-1)).toBe(2);
    const final = events.at(-1)!.data as RunView;
    expect(final.summary.skippedLines).toBe(1);
    expect((final.specs["step-time"] as unknown as { data: { values: unknown[] } }).data.values).toHaveLength(6);
  });
});

describe("startDashboard on another host", () => {
  it("makes a random token and requires it on every request", async () => {
    const d = await startDashboard({ runsDir: root, port: 0, host: "0.0.0.0" });
    try {
      expect(d.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(d.url).toBe(`http://0.0.0.0:${d.port}/?token=${d.token}`);
      for (const path of ["/", "/api/runs", "/app.js", "/files/run-a/config.json", "/api/run/stream?id=run-a"]) {
        expect((await rawRequest(d.port, path)).status).toBe(401);
        expect((await rawRequest(d.port, path, { headers: { Authorization: "Bearer wrong" } })).status).toBe(401);
      }
      expect((await rawRequest(d.port, "/api/runs", { headers: { Authorization: `Bearer ${d.token}` } })).status).toBe(
        200,
      );
      const page = await rawRequest(d.port, `/?token=${d.token}`);
      expect(page.status).toBe(200);
      const cookie = String(page.headers["set-cookie"]).split(";")[0]!;
      expect(String(page.headers["set-cookie"])).toContain("HttpOnly; SameSite=Strict");
      expect((await rawRequest(d.port, "/api/runs", { headers: { Cookie: cookie } })).status).toBe(200);
    } finally {
      await d.close();
    }
    const other = await startDashboard({ runsDir: root, port: 0, host: "0.0.0.0" });
    expect(other.token).not.toBe(d.token);
    await other.close();
  });

  it("requires a given token on loopback too", async () => {
    const d = await startDashboard({ runsDir: root, port: 0, token: "s3cret-token" });
    try {
      expect((await rawRequest(d.port, "/api/runs")).status).toBe(401);
      expect((await rawRequest(d.port, "/api/runs?token=s3cret-token")).status).toBe(200);
    } finally {
      await d.close();
    }
  });

  it("fails at once on a missing runs folder", async () => {
    await expect(startDashboard({ runsDir: join(base, "nope"), port: 0 })).rejects.toThrow(
      `dashboard: ${join(base, "nope")}: no such runs folder`,
    );
  });
});

describe("configFacts", () => {
  it("reads method, task and model from names or plugin sections", async () => {
    const { configFacts } = await import("./run-folder.js");
    expect(configFacts({ method: "lora", data: { name: "glue/rte" }, model: "demo" })).toEqual({
      method: "lora",
      task: "glue/rte",
      model: "demo",
    });
    expect(
      configFacts({
        adapter: { name: "aflora" },
        data: { name: "spam-assassin" },
        model: { name: "encoder", path: "demo" },
      }),
    ).toEqual({
      method: "aflora",
      task: "spam-assassin",
      model: "demo",
    });
    expect(configFacts({})).toEqual({ method: null, task: null, model: null });
  });
});
