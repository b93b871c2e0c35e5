import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import { downloadRepoFiles, HubNameError, PoisonedCacheError, resolveModelSource } from "@aflora/encoder";
import { serveFolderAsHub, type LocalHub } from "@aflora/encoder/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aflora, REPO, scratch } from "../helpers.js";
import { outside, tree } from "./hostile-files.js";

const BERT = join(REPO, "fixtures/hf-parity/bert-tiny-cls3");
const WORDPIECE = join(REPO, "fixtures/tokenizers/bert-wordpiece");
const FILES = {
  "config.json": join(BERT, "config.json"),
  "model.safetensors": join(BERT, "model.safetensors"),
  "tokenizer.json": join(WORDPIECE, "tokenizer.json"),
  "tokenizer_config.json": join(WORDPIECE, "tokenizer_config.json"),
};
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const gitSha1 = (b: Uint8Array) => createHash("sha1").update(`blob ${b.length}\0`).update(b).digest("hex");

describe("hub downloads under faults and hostile names", () => {
  let hub: LocalHub;
  let fault: ((url: string, res: ServerResponse) => boolean) | null = null;
  const hung: ServerResponse[] = [];

  beforeAll(async () => {
    hub = await serveFolderAsHub(
      { "org/bert": FILES },
      { intercept: (req, res) => fault?.(req.url ?? "", res) ?? false },
    );
  });
  afterAll(async () => {
    for (const res of hung) res.destroy();
    await hub.close();
  });

  it("aflora train on a hub that accepts the connection and never answers stops after the connect timeout, naming the URL", () => {
    fault = (_url, res) => (hung.push(res), true);
    const root = scratch("hostile-hang");
    const started = Date.now();
    const r = aflora(
      ["train", "--model", "org/bert", "--data", "spam-assassin", "--max-steps", "1", "--quiet", "--output", "runs"],
      {
        cwd: root,
        env: {
          HOME: join(root, "home"),
          HF_ENDPOINT: hub.url,
          HF_HUB_CACHE: join(root, "cache"),
          HF_HUB_ETAG_TIMEOUT: "1",
          HF_HUB_OFFLINE: "0",
        },
        timeoutMs: 60_000,
      },
    );
    fault = null;
    expect(r.stderr).toContain(`GET ${hub.url}/api/models/org/bert/revision/main?blobs=true: no response within 1 s`);
    expect(r.status).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(tree(root).filter((p) => p.includes("blobs/"))).toEqual([]);
  });

  it("a model already in a huggingface_hub cache (HF_HUB_CACHE, HF_HUB_OFFLINE=1) trains without any request", () => {
    const root = scratch("hostile-hfcache");
    const commit = "89abcdef0123456789abcdef0123456789abcdef";
    const repo = join(root, "cache", "models--org--bert");
    mkdirSync(join(repo, "blobs"), { recursive: true });
    mkdirSync(join(repo, "refs"));
    mkdirSync(join(repo, "snapshots", commit), { recursive: true });
    writeFileSync(join(repo, "refs", "main"), commit);
    for (const [name, from] of Object.entries(FILES)) {
      const bytes = readFileSync(from);
      const id = name.endsWith(".safetensors") ? sha256(bytes) : gitSha1(bytes);
      writeFileSync(join(repo, "blobs", id), bytes);
      symlinkSync(`../../blobs/${id}`, join(repo, "snapshots", commit, name));
    }
    const before = hub.requests.length;
    const r = aflora(
      ["train", "--model", "org/bert", "--data", "spam-assassin", "--max-steps", "1", "--quiet", "--output", "runs"],
      {
        cwd: root,
        env: { HOME: join(root, "home"), HF_ENDPOINT: hub.url, HF_HUB_CACHE: join(root, "cache"), HF_HUB_OFFLINE: "1" },
        timeoutMs: 120_000,
      },
    );
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(hub.requests.length).toBe(before);
  });

  it("library: wrong bytes with the right size are never cached; a poisoned cache entry is reported offline and repaired online", async () => {
    const root = scratch("hostile-poison");
    const cache = join(root, "cache");
    const size = readFileSync(FILES["config.json"]).length;
    fault = (url, res) => {
      if (!url.includes("/resolve/")) return false;
      res.writeHead(200, { "Content-Length": String(size) });
      res.end(Buffer.alloc(size, 0x7b));
      return true;
    };
    await expect(
      downloadRepoFiles({
        repo: { type: "model", name: "org/bert" },
        cacheDir: cache,
        hubUrl: hub.url,
        paths: ["config.json"],
      }),
    ).rejects.toThrow(/config\.json: the content hashes to [0-9a-f]{40}, the Hub lists [0-9a-f]{40}/);
    fault = null;
    expect(tree(root).filter((p) => p.includes("blobs/") || p.includes("snapshots/"))).toEqual([]);
    const src = await resolveModelSource("org/bert", { cacheDir: cache, hubUrl: hub.url });
    writeFileSync(join(src.folder, "model.safetensors"), Buffer.alloc(readFileSync(FILES["model.safetensors"]).length)); // through the link, into the blob
    await expect(resolveModelSource("org/bert", { cacheDir: cache, offline: true })).rejects.toThrow(
      PoisonedCacheError,
    );
    const notes: string[] = [];
    const again = await resolveModelSource("org/bert", {
      cacheDir: cache,
      hubUrl: hub.url,
      warn: (m) => notes.push(m),
    });
    expect(notes.join("\n")).toMatch(/model\.safetensors: its content hashes to .* downloading it again/);
    expect(readFileSync(join(again.folder, "model.safetensors")).equals(readFileSync(FILES["model.safetensors"]))).toBe(
      true,
    );
  });

  it("library: hostile ids, revisions and file names (from the user or the server) never write outside the cache", async () => {
    const root = scratch("hostile-names");
    const cache = join(root, "a", "b", "cache");
    mkdirSync(cache, { recursive: true });
    const before = tree(root);
    const hostile = ["..", "../../x", "/tmp/x", "a%2F..%2Fx", "%2e%2e", "a/../../x"];
    for (const bad of hostile) {
      await expect(
        downloadRepoFiles({ repo: { type: "model", name: bad }, cacheDir: cache, hubUrl: hub.url }),
      ).rejects.toThrow(HubNameError);
      await expect(
        downloadRepoFiles({
          repo: { type: "model", name: "org/bert" },
          cacheDir: cache,
          hubUrl: hub.url,
          revision: bad,
        }),
      ).rejects.toThrow(HubNameError);
      await expect(
        downloadRepoFiles({
          repo: { type: "model", name: "org/bert" },
          cacheDir: cache,
          hubUrl: hub.url,
          paths: [bad],
        }),
      ).rejects.toThrow(HubNameError);
      fault = (url, res) => {
        if (!url.includes("/revision/")) return false;
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(
          JSON.stringify({ sha: "c".repeat(40), siblings: [{ rfilename: bad, size: 1, blobId: "d".repeat(40) }] }),
        );
        return true;
      };
      await expect(
        downloadRepoFiles({ repo: { type: "model", name: "org/bert" }, cacheDir: cache, hubUrl: hub.url }),
      ).rejects.toThrow(HubNameError);
      fault = null;
    }
    expect(outside(root, ["a/b/cache"], before)).toEqual([]);
  });
});
