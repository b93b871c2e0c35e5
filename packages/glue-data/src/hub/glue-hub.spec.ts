import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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
/** Fault injection: answer a request here instead of serving the file. */
let fault: ((url: string, res: import("node:http").ServerResponse) => boolean) | null = null;

function hubServer(): Server {
  return createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.range ?? ""}`.trim());
    if (fault?.(req.url ?? "", res)) return;
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
    const headers = {
      ETag: `"${createHash("sha256").update(body).digest("hex")}"`,
      "Accept-Ranges": "bytes",
      "Content-Type": "application/octet-stream",
    };
    const range = /^bytes=(\d+)-(\d+)?$/.exec(req.headers.range ?? "");
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(range[2] === undefined ? body.length - 1 : Number(range[2]), body.length - 1);
      res.writeHead(206, {
        ...headers,
        "Content-Range": `bytes ${start}-${end}/${body.length}`,
        "Content-Length": end - start + 1,
      });
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
      expect(readFileSync(files.train).equals(readFileSync(join(PARQUET, "mnli/train-00000-of-00001.parquet")))).toBe(
        true,
      );
      expect(
        requests.some((r) =>
          r.startsWith("GET /datasets/nyu-mll/glue/resolve/main/mnli/validation_mismatched-00000-of-00001.parquet"),
        ),
      ).toBe(true);

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
      const loaded = await glueTaskData({ task: "rte", cacheDir, hubUrl }).load({
        tokenizer: new WhitespaceTokenizer(),
        batchSize: 2,
        seed: 42,
      });
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
        expect(msg).toContain(
          `${join(cacheDir, "nyu-mll/glue/main/mnli", `${split}-00000-of-00001.parquet`)}  ←  ${deadUrl}/datasets/nyu-mll/glue/resolve/main/mnli/${split}-00000-of-00001.parquet`,
        );
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
      await expect(fetchGlueParquet(GLUE_TASKS.cola, { cacheDir, hubUrl })).rejects.toThrow(
        /Cannot download GLUE CoLA .*cola\/train-00000-of-00001\.parquet: not found on the hub/,
      );
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  const html = "<!DOCTYPE html><html><body>Too many requests</body></html>";
  const withCache = async (body: (cacheDir: string) => Promise<void>) => {
    const cacheDir = mkdtempSync(join(tmpdir(), "glue-hub-"));
    try {
      await body(cacheDir);
    } finally {
      fault = null;
      rmSync(cacheDir, { recursive: true, force: true });
    }
  };

  it("an HTML page served with status 200 is never cached as .parquet", () =>
    withCache(async (cacheDir) => {
      fault = (_url, res) => {
        res.writeHead(200, { "Content-Type": "text/html", "Content-Length": Buffer.byteLength(html) });
        res.end(html);
        return true;
      };
      await expect(fetchGlueParquet(GLUE_TASKS.rte, { cacheDir, hubUrl, offline: false })).rejects.toThrow(
        /Cannot download GLUE RTE .*rte\/train-00000-of-00001\.parquet: .* is an HTML page, not a parquet file .*; not cached/,
      );
      expect(readdirSync(cacheDir, { recursive: true }).filter((p) => String(p).endsWith(".parquet"))).toEqual([]);
    }));

  it("a download whose bytes differ from the hub's SHA-256 ETag is refused", () =>
    withCache(async (cacheDir) => {
      fault = (url, res) => {
        const body = readFileSync(join(PARQUET, "rte/train-00000-of-00001.parquet"));
        res.writeHead(200, { ETag: `"${"0".repeat(64)}"`, "Content-Length": body.length });
        res.end(body);
        return url !== "";
      };
      await expect(fetchGlueParquet(GLUE_TASKS.rte, { cacheDir, hubUrl, offline: false })).rejects.toThrow(
        /the content hashes to [0-9a-f]{64}, the hub's ETag says 0{64}/,
      );
    }));

  it("a poisoned cached file is downloaded again online, and offline is an error naming it", () =>
    withCache(async (cacheDir) => {
      const files = await fetchGlueParquet(GLUE_TASKS.rte, { cacheDir, hubUrl, offline: false });
      writeFileSync(files.train, html);
      await expect(fetchGlueParquet(GLUE_TASKS.rte, { cacheDir, hubUrl, offline: true })).rejects.toThrow(
        `${files.train}: is an HTML page, not a parquet file (a proxy, login or error page?); delete it and download it again (offline mode is on)`,
      );
      const notes: string[] = [];
      await fetchGlueParquet(GLUE_TASKS.rte, { cacheDir, hubUrl, offline: false, warn: (m) => notes.push(m) });
      expect(notes).toEqual([
        `${files.train}: is an HTML page, not a parquet file (a proxy, login or error page?); downloading it again`,
      ]);
      expect(readFileSync(files.train).equals(readFileSync(join(PARQUET, "rte/train-00000-of-00001.parquet")))).toBe(
        true,
      );
      // Same size, other bytes, still PAR1 at both ends: caught by the SHA-256 recorded at download.
      const flipped = readFileSync(files.train);
      flipped[20] = flipped[20]! ^ 0xff;
      writeFileSync(files.train, flipped);
      await expect(fetchGlueParquet(GLUE_TASKS.rte, { cacheDir, hubUrl, offline: true })).rejects.toThrow(
        /its content no longer matches the SHA-256 recorded at download/,
      );
    }));

  it("a revision like ../../.. (or absolute, or percent-encoded) is refused before anything is written", () =>
    withCache(async (cacheDir) => {
      requests.length = 0;
      for (const revision of ["../../..", "/etc", "main/../../x", "..%2F..", "a\\b", ".hidden"]) {
        await expect(fetchGlueParquet(GLUE_TASKS.rte, { cacheDir, hubUrl, revision })).rejects.toThrow(
          `data.revision ${JSON.stringify(revision)} is not a branch, tag or commit of nyu-mll/glue`,
        );
      }
      expect(requests).toEqual([]);
      expect(readdirSync(cacheDir)).toEqual([]);
      const err = await fetchGlueParquet(GLUE_TASKS.rte, { cacheDir, hubUrl, revision: "../../.." }).catch(
        (e: unknown) => e,
      );
      expect((err as GlueDownloadError).kind).toBe("input");
    }));

  it("a hub that never answers fails after the connect timeout, naming the URL", () =>
    withCache(async (cacheDir) => {
      const hung: import("node:http").ServerResponse[] = [];
      fault = (_url, res) => (hung.push(res), true);
      const started = Date.now();
      await expect(
        fetchGlueParquet(GLUE_TASKS.rte, { cacheDir, hubUrl, offline: false, connectTimeoutMs: 200 }),
      ).rejects.toThrow(
        `GET ${hubUrl}/datasets/nyu-mll/glue/resolve/main/rte/train-00000-of-00001.parquet: no response within 0.2 s`,
      );
      expect(Date.now() - started).toBeLessThan(3000);
      for (const res of hung) res.destroy();
    }));
});
