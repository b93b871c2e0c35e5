import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveFolderAsHub, type LocalHub } from "../testing/local-hub-server.js";
import { downloadRepoFiles } from "./download-repo-files.js";
import { HubNameError } from "./validate-hub-names.js";
import { resolveModelSource } from "./resolve-model-source.js";

const fixtures = new URL("../../../../fixtures/", import.meta.url).pathname;
const bert = join(fixtures, "hf-parity/bert-tiny-cls3");
const wordpiece = join(fixtures, "tokenizers/bert-wordpiece");
const FILES = {
  "config.json": join(bert, "config.json"),
  "model.safetensors": join(bert, "model.safetensors"),
  "tokenizer.json": join(wordpiece, "tokenizer.json"),
};
const model = { type: "model" as const, name: "org/bert" };

/** Every file under `dir`, relative to it. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

describe("hub downloads under hostile servers and names", () => {
  let root: string;
  let cache: string;
  let html: string;
  let hub: LocalHub;
  let fault: ((req: IncomingMessage, res: ServerResponse) => boolean) | null = null;
  const pending: ServerResponse[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "aflora-hostile-hub-"));
    cache = join(root, "cache");
    html = join(root, "page.html");
    await writeFile(html, "<!DOCTYPE html><html><body>Please log in</body></html>");
    hub = await serveFolderAsHub(
      { "org/bert": FILES, "org/html-config": { ...FILES, "config.json": html } },
      { intercept: (req, res) => fault?.(req, res) ?? false },
    );
  });

  afterAll(async () => {
    for (const res of pending) res.destroy();
    await hub.close();
    await rm(root, { recursive: true, force: true });
  });

  const opts = { cacheDir: "", hubUrl: "", connectTimeoutMs: 300, idleTimeoutMs: 300, warn: () => undefined };
  const withHub = () => ({ ...opts, cacheDir: cache, hubUrl: hub.url });

  it("a hub that accepts the connection and never answers fails after the connect timeout, naming the URL", async () => {
    fault = (_req, res) => (pending.push(res), true);
    const started = Date.now();
    await expect(downloadRepoFiles({ ...withHub(), repo: model })).rejects.toThrow(
      `GET ${hub.url}/api/models/org/bert/revision/main?blobs=true: no response within 0.3 s (connectTimeoutMs, or HF_HUB_ETAG_TIMEOUT in seconds)`,
    );
    expect(Date.now() - started).toBeLessThan(3000);
    fault = null;
  });

  it("a download that stalls mid-body fails after the idle timeout and leaves no partial blob", async () => {
    fault = (req, res) => {
      if (!req.url?.includes("/resolve/")) return false;
      res.writeHead(200, { "Content-Length": "100000" });
      res.write(Buffer.alloc(10));
      pending.push(res);
      return true;
    };
    await expect(downloadRepoFiles({ ...withHub(), repo: model, paths: ["model.safetensors"] })).rejects.toThrow(
      /resolve\/[0-9a-f]{40}\/model\.safetensors: no data within 0\.3 s \(idleTimeoutMs/,
    );
    fault = null;
    expect((await tree(cache)).filter((p) => p.includes("blobs/"))).toEqual([]);
  });

  it("a file of the right size but other content (ETag or hash mismatch) is never cached", async () => {
    fault = (req, res) => {
      if (!req.url?.includes("/resolve/")) return false;
      res.writeHead(200, { "Content-Length": "12", ETag: '"0000000000000000000000000000000000000000"' });
      res.end("not the file");
      return true;
    };
    await expect(downloadRepoFiles({ ...withHub(), repo: model, paths: ["config.json"] })).rejects.toThrow(
      /config\.json: the server's ETag 0{40} differs from the listed [0-9a-f]{40}/,
    );
    const size = (await import("node:fs")).statSync(FILES["config.json"]).size;
    fault = (req, res) => {
      if (!req.url?.includes("/resolve/")) return false;
      res.writeHead(200, { "Content-Length": String(size) });
      res.end(Buffer.alloc(size, 0x20));
      return true;
    };
    await expect(downloadRepoFiles({ ...withHub(), repo: model, paths: ["config.json"] })).rejects.toThrow(
      /config\.json: the content hashes to [0-9a-f]{40}, the Hub lists [0-9a-f]{40} \(corrupted in transit or tampered\)/,
    );
    fault = null;
    expect((await tree(cache)).filter((p) => p.includes("blobs/") || p.includes("snapshots/"))).toEqual([]);
  });

  it("an HTML page served as config.json (even with a matching listing) is refused by its content", async () => {
    await expect(
      downloadRepoFiles({ ...withHub(), repo: { type: "model", name: "org/html-config" }, paths: ["config.json"] }),
    ).rejects.toThrow(/config\.json: config\.json: it is an HTML page, not the file/);
  });

  const hostile = ["..", "../x", "/etc/passwd", "C:\\x", "a%2F..", "a%2e%2e", "org/../../x", "a\\..\\b", "a\u0000b"];

  it("refuses hostile repo ids, revisions and file names before touching the network or the disk", async () => {
    const before = hub.requests.length;
    for (const bad of hostile) {
      await expect(
        downloadRepoFiles({ ...withHub(), repo: { type: "model", name: bad } }),
        `id ${bad}`,
      ).rejects.toThrow(HubNameError);
      await expect(downloadRepoFiles({ ...withHub(), repo: model, revision: bad }), `revision ${bad}`).rejects.toThrow(
        HubNameError,
      );
      await expect(downloadRepoFiles({ ...withHub(), repo: model, paths: [bad] }), `path ${bad}`).rejects.toThrow(
        HubNameError,
      );
    }
    await expect(resolveModelSource("org/bert", { ...withHub(), revision: "../../.." })).rejects.toThrow(
      'revision "../../.." is not a valid git ref',
    );
    expect(hub.requests.length).toBe(before);
  });

  it("refuses hostile file names, commits and checksums sent by the server", async () => {
    const lies: Record<string, unknown>[] = [
      { sha: "a".repeat(40), siblings: [{ rfilename: "../../../escaped.json", size: 2, blobId: "b".repeat(40) }] },
      { sha: "a".repeat(40), siblings: [{ rfilename: "/tmp/escaped.json", size: 2, blobId: "b".repeat(40) }] },
      { sha: "a".repeat(40), siblings: [{ rfilename: "..%2F..%2Fescaped.json", size: 2, blobId: "b".repeat(40) }] },
      { sha: "../../../x", siblings: [] },
      { sha: "a".repeat(40), siblings: [{ rfilename: "config.json", size: 2, blobId: "../../escaped" }] },
    ];
    for (const lie of lies) {
      fault = (req, res) => {
        if (!req.url?.includes("/revision/")) return false;
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify(lie));
        return true;
      };
      await expect(downloadRepoFiles({ ...withHub(), repo: model }), JSON.stringify(lie)).rejects.toThrow(HubNameError);
    }
    fault = null;
    expect((await tree(root)).filter((p) => p.includes("escaped") || p.startsWith("x"))).toEqual([]);
  });
});
