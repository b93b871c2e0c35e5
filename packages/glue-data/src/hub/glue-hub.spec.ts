import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { glueTaskData } from "../glue-task-data.js";
import { GLUE_TASKS } from "../tasks/glue-tasks.js";
import { WhitespaceTokenizer } from "../testing/whitespace-tokenizer.js";
import { fetchGlueParquet, GlueDownloadError } from "./glue-hub.js";

const PARQUET = fileURLToPath(new URL("../../../../fixtures/glue-tiny/parquet/", import.meta.url));
const requests: string[] = [];
let server: Server;
let hubUrl: string;

/** Serves fixture files on the hub's dataset routes: /datasets/<repo>/resolve/<revision>/<path>, with Range support. */
function hubServer(): Server {
  return createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.range ?? ""}`.trim());
    const m = /^\/datasets\/nyu-mll\/glue\/resolve\/main\/(.+)$/.exec(req.url ?? "");
    let body: Buffer | null = null;
    if (m) {
      try {
        body = readFileSync(join(PARQUET, decodeURIComponent(m[1]!)));
      } catch {
        body = null;
      }
    }
    if (!body) {
      res.writeHead(404, { "X-Error-Code": "EntryNotFound", "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: "Entry not found" }));
      return;
    }
    const headers = { ETag: `"${createHash("sha256").update(body).digest("hex")}"`, "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream" };
    const range = /^bytes=(\d+)-(\d+)?$/.exec(req.headers.range ?? "");
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(range[2] === undefined ? body.length - 1 : Number(range[2]), body.length - 1);
      res.writeHead(206, { ...headers, "Content-Range": `bytes ${start}-${end}/${body.length}`, "Content-Length": end - start + 1 });
      res.end(body.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { ...headers, "Content-Length": body.length });
    res.end(body);
  });
}

beforeAll(async () => {
  server = hubServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hubUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("glue:<task> from the hub", () => {
  it("downloads MNLI's parquet files into the cache once and reuses them offline", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "glue-hub-"));
    try {
      requests.length = 0;
      const files = await fetchGlueParquet(GLUE_TASKS.mnli, { cacheDir, hubUrl });
      expect(files.train).toBe(join(cacheDir, "nyu-mll/glue/main/mnli/train-00000-of-00001.parquet"));
      expect(files.eval).toEqual([
        join(cacheDir, "nyu-mll/glue/main/mnli/validation_matched-00000-of-00001.parquet"),
        join(cacheDir, "nyu-mll/glue/main/mnli/validation_mismatched-00000-of-00001.parquet"),
      ]);
      expect(readFileSync(files.train).equals(readFileSync(join(PARQUET, "mnli/train-00000-of-00001.parquet")))).toBe(true);
      expect(requests.some((r) => r.startsWith("GET /datasets/nyu-mll/glue/resolve/main/mnli/validation_mismatched-00000-of-00001.parquet"))).toBe(true);

      requests.length = 0;
      const again = await fetchGlueParquet(GLUE_TASKS.mnli, { cacheDir, hubUrl: "http://127.0.0.1:9" });
      expect(again).toEqual(files);
      expect(requests).toEqual([]);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it("loads a task end to end through glueTaskData (no dataDir → hub)", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "glue-hub-"));
    try {
      const loaded = await glueTaskData({ task: "rte", cacheDir, hubUrl }).load({ tokenizer: new WhitespaceTokenizer(), batchSize: 2, seed: 42 });
      expect(loaded.train.data.size).toBe(4);
      expect(loaded.evaluator.splits[0]!.data.size).toBe(3);
      expect(loaded.readStats.map((s) => s.rows)).toEqual([4, 3]);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it("offline: one message naming every file and where to put it", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "glue-hub-"));
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    try {
      const err = await fetchGlueParquet(GLUE_TASKS.mnli, { cacheDir, hubUrl: deadUrl }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GlueDownloadError);
      const msg = (err as Error).message;
      expect(msg).toMatch(/^Cannot download GLUE MNLI from the Hugging Face hub/);
      for (const split of ["train", "validation_matched", "validation_mismatched"]) {
        expect(msg).toContain(`${join(cacheDir, "nyu-mll/glue/main/mnli", `${split}-00000-of-00001.parquet`)}  ←  ${deadUrl}/datasets/nyu-mll/glue/resolve/main/mnli/${split}-00000-of-00001.parquet`);
      }
      expect(msg).toContain("MNLI/train.tsv, dev_matched.tsv, dev_mismatched.tsv");
      expect(() => statSync(join(cacheDir, "nyu-mll/glue/main/mnli/train-00000-of-00001.parquet"))).toThrow();
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it("a file missing on the hub is reported, not cached", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "glue-hub-"));
    try {
      await expect(fetchGlueParquet(GLUE_TASKS.cola, { cacheDir, hubUrl })).rejects.toThrow(/Cannot download GLUE CoLA .*cola\/train-00000-of-00001\.parquet: not found on the hub/);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
