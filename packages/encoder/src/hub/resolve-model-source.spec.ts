import { createHash } from "node:crypto";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveFolderAsHub, type LocalHub } from "../testing/local-hub-server.js";
import { loadTokenizer } from "../tokenizer/load-tokenizer.js";
import { downloadRepoFiles, PoisonedCacheError } from "./download-repo-files.js";
import { defaultHubCacheDir } from "./hub-repo.js";
import { resolveModelSource } from "./resolve-model-source.js";

const fixtures = new URL("../../../../fixtures/", import.meta.url).pathname;
const deberta = join(fixtures, "hf-parity/deberta-v3-tiny-cls3");
const spm = join(fixtures, "tokenizers/deberta-v3-spm");
const bert = join(fixtures, "hf-parity/bert-tiny-cls3");
const wordpiece = join(fixtures, "tokenizers/bert-wordpiece");
const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const gitSha1 = (b: Uint8Array) => createHash("sha1").update(`blob ${b.length}\0`).update(b).digest("hex");
const quiet = () => undefined;

const DEBERTA_FILES = {
  // Like microsoft/deberta-v3-base: spm.model and no tokenizer.json; both weight formats on the Hub.
  "config.json": join(deberta, "config.json"),
  "model.safetensors": join(deberta, "model.safetensors"),
  "pytorch_model.bin": join(deberta, "pytorch_model.bin"),
  "expected.json": join(deberta, "expected.json"),
  "spm.model": join(spm, "spm.model"),
  "tokenizer_config.json": join(spm, "tokenizer_config.json"),
  "onnx/model.onnx": join(deberta, "config.json"),
};
const BERT_FILES = {
  "config.json": join(bert, "config.json"),
  "pytorch_model.bin": join(bert, "pytorch_model.bin"),
  "tokenizer.json": join(wordpiece, "tokenizer.json"),
  "tokenizer_config.json": join(wordpiece, "tokenizer_config.json"),
};

describe("resolveModelSource against a local Hub on 127.0.0.1, in huggingface_hub's cache layout", () => {
  let hub: LocalHub;
  let cache: string;
  const mainCommit = sha1("aflora-test/deberta-v3-tiny@main");

  beforeAll(async () => {
    cache = await mkdtemp(join(tmpdir(), "aflora-hub-"));
    hub = await serveFolderAsHub({
      "aflora-test/deberta-v3-tiny": DEBERTA_FILES,
      "aflora-test/bert-bin-only": BERT_FILES,
      "datasets/aflora-test/tiny-glue": {
        "README.md": join(fixtures, "tokenizers/README.md"),
        "sst2/train.json": join(spm, "config.json"),
      },
    });
  });

  afterAll(async () => {
    await hub?.close();
    await rm(cache, { recursive: true, force: true });
  });

  it("downloads config, tokenizer files and the safetensors weights into blobs/, snapshots/<commit>/ and refs/main", async () => {
    const src = await resolveModelSource("aflora-test/deberta-v3-tiny", { cacheDir: cache, hubUrl: hub.url });
    const repo = join(cache, "models--aflora-test--deberta-v3-tiny");
    expect(src).toEqual({
      folder: join(repo, "snapshots", mainCommit),
      origin: "download",
      id: "aflora-test/deberta-v3-tiny",
      commit: mainCommit,
    });
    expect((await readdir(src.folder)).sort()).toEqual([
      "config.json",
      "model.safetensors",
      "spm.model",
      "tokenizer_config.json",
    ]);
    expect(await readFile(join(repo, "refs", "main"), "utf8")).toBe(mainCommit);
    // Relative symlinks into blobs/, named by SHA-256 (LFS files) or git SHA-1 (regular files), as huggingface_hub writes them.
    const weights = await readFile(join(deberta, "model.safetensors"));
    const config = await readFile(join(deberta, "config.json"));
    expect(await readlink(join(src.folder, "model.safetensors"))).toBe(join("..", "..", "blobs", sha256(weights)));
    expect(await readlink(join(src.folder, "config.json"))).toBe(join("..", "..", "blobs", gitSha1(config)));
    expect(new Uint8Array(await readFile(join(src.folder, "model.safetensors")))).toEqual(new Uint8Array(weights));
    expect((await readdir(join(repo, "blobs"))).filter((n) => n.includes("incomplete"))).toEqual([]);
    expect(
      hub.requests.some(
        (r) => r.includes("/resolve/") && (r.includes("pytorch_model.bin") || r.includes("expected.json")),
      ),
    ).toBe(false);
    const tok = await loadTokenizer(src.folder);
    expect(tok.encode("the cats sat", "on the mat.").inputIds).toEqual([1, 5, 6, 7, 8, 2, 9, 5, 10, 11, 2]);
  });

  it("reuses verified cache entries: online only the revision is resolved; offline nothing is requested", async () => {
    const before = hub.requests.length;
    const again = await resolveModelSource("aflora-test/deberta-v3-tiny", { cacheDir: cache, hubUrl: hub.url });
    expect(again.origin).toBe("cache");
    expect(hub.requests.slice(before)).toEqual(["/api/models/aflora-test/deberta-v3-tiny/revision/main?blobs=true"]);
    const offline = await resolveModelSource("aflora-test/deberta-v3-tiny", {
      cacheDir: cache,
      hubUrl: hub.url,
      offline: true,
    });
    expect(offline).toEqual(again);
    expect(hub.requests.length).toBe(before + 1);
  });

  it("takes a revision (branch, tag or commit) into its own snapshot and ref", async () => {
    const v1 = await resolveModelSource("aflora-test/deberta-v3-tiny", {
      cacheDir: cache,
      hubUrl: hub.url,
      revision: "v1.0",
    });
    const commit = sha1("aflora-test/deberta-v3-tiny@v1.0");
    expect(v1.folder).toBe(join(cache, "models--aflora-test--deberta-v3-tiny", "snapshots", commit));
    expect(v1.origin).toBe("cache"); // same blobs as main: nothing is downloaded twice
    expect(await readFile(join(cache, "models--aflora-test--deberta-v3-tiny", "refs", "v1.0"), "utf8")).toBe(commit);
    const byCommit = await resolveModelSource("aflora-test/deberta-v3-tiny", {
      cacheDir: cache,
      offline: true,
      revision: commit,
    });
    expect(byCommit.folder).toBe(v1.folder);
  });

  it("two processes downloading into one cache at once both get intact files", async () => {
    const other = await mkdtemp(join(tmpdir(), "aflora-hub-"));
    try {
      const opts = { cacheDir: other, hubUrl: hub.url };
      const [a, b] = await Promise.all([
        resolveModelSource("aflora-test/bert-bin-only", opts),
        resolveModelSource("aflora-test/bert-bin-only", opts),
      ]);
      expect(a.folder).toBe(b.folder);
      const bin = await readFile(join(a.folder, "pytorch_model.bin"));
      expect(new Uint8Array(bin)).toEqual(new Uint8Array(await readFile(join(bert, "pytorch_model.bin"))));
      const blobs = await readdir(join(other, "models--aflora-test--bert-bin-only", "blobs"));
      expect(blobs.filter((n) => n.includes("incomplete"))).toEqual([]);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it("falls back to pytorch_model.bin when the repo has no safetensors", async () => {
    const src = await resolveModelSource("aflora-test/bert-bin-only", { cacheDir: cache, hubUrl: hub.url });
    expect((await readdir(src.folder)).sort()).toEqual([
      "config.json",
      "pytorch_model.bin",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
  });

  it("a poisoned cache entry is re-downloaded online, and offline is an error naming what to delete", async () => {
    const other = await mkdtemp(join(tmpdir(), "aflora-hub-"));
    try {
      const src = await resolveModelSource("aflora-test/bert-bin-only", { cacheDir: other, hubUrl: hub.url });
      const blob = join(src.folder, await readlink(join(src.folder, "pytorch_model.bin")));
      const good = await readFile(blob);
      const bad = Buffer.from(good);
      bad[100] = bad[100]! ^ 0xff; // same size, other content
      await writeFile(blob, bad);
      await expect(resolveModelSource("aflora-test/bert-bin-only", { cacheDir: other, offline: true })).rejects.toThrow(
        PoisonedCacheError,
      );
      await expect(resolveModelSource("aflora-test/bert-bin-only", { cacheDir: other, offline: true })).rejects.toThrow(
        `${join(src.folder, "pytorch_model.bin")}: its content hashes to ${sha256(bad)}, not to ${sha256(good)} (corrupt or tampered). Delete ${src.folder}`,
      );
      const notes: string[] = [];
      const again = await resolveModelSource("aflora-test/bert-bin-only", {
        cacheDir: other,
        hubUrl: hub.url,
        warn: (m) => notes.push(m),
      });
      expect(again.origin).toBe("download");
      expect(notes).toEqual([
        expect.stringMatching(/pytorch_model\.bin: its content hashes to .*; downloading it again$/),
      ]);
      expect(new Uint8Array(await readFile(join(again.folder, "pytorch_model.bin")))).toEqual(new Uint8Array(good));
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it("reuses a cache written by huggingface_hub (HF_HUB_CACHE / HF_HOME, HF_HUB_OFFLINE=1) without any request", async () => {
    const home = await mkdtemp(join(tmpdir(), "aflora-hfhome-"));
    const saved = { ...process.env };
    try {
      // What `huggingface_hub.snapshot_download("org/bert-tiny")` leaves behind.
      const repo = join(home, "hub", "models--org--bert-tiny");
      const commit = "0123456789abcdef0123456789abcdef01234567";
      await mkdir(join(repo, "blobs"), { recursive: true });
      await mkdir(join(repo, "refs"));
      await mkdir(join(repo, "snapshots", commit), { recursive: true });
      await writeFile(join(repo, "refs", "main"), commit);
      for (const [name, from] of Object.entries(BERT_FILES)) {
        const bytes = await readFile(from);
        const id = name.endsWith(".bin") ? sha256(bytes) : gitSha1(bytes);
        await writeFile(join(repo, "blobs", id), bytes);
        await symlink(`../../blobs/${id}`, join(repo, "snapshots", commit, name));
      }
      delete process.env["AFLORA_HUB_CACHE"];
      delete process.env["HF_HUB_CACHE"];
      process.env["HF_HOME"] = home;
      process.env["HF_HUB_OFFLINE"] = "1";
      expect(defaultHubCacheDir()).toBe(join(home, "hub"));
      const before = hub.requests.length;
      const src = await resolveModelSource("org/bert-tiny", { hubUrl: hub.url });
      expect(src).toEqual({ folder: join(repo, "snapshots", commit), origin: "cache", id: "org/bert-tiny", commit });
      process.env["HF_HUB_CACHE"] = join(home, "hub");
      delete process.env["HF_HOME"];
      expect((await resolveModelSource("org/bert-tiny")).folder).toBe(src.folder);
      expect(hub.requests.length).toBe(before);
    } finally {
      for (const k of ["AFLORA_HUB_CACHE", "HF_HUB_CACHE", "HF_HOME", "HF_HUB_OFFLINE"]) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
      await rm(home, { recursive: true, force: true });
    }
  });

  it("offline without a cache: one message naming the cache folder and the files it needs", async () => {
    const p = resolveModelSource("microsoft/deberta-v3-base", { cacheDir: cache, hubUrl: hub.url, offline: true });
    await expect(p).rejects.toThrow(
      `model "microsoft/deberta-v3-base" (revision main) is not on this machine and offline mode is on (offline option, HF_HUB_OFFLINE or AFLORA_OFFLINE). ` +
        `Download it where the Hub is reachable (e.g. huggingface-cli download microsoft/deberta-v3-base) into the cache ${join(cache, "models--microsoft--deberta-v3-base")}`,
    );
  });

  it("an unreachable Hub or an unknown repo gives the same kind of message with the URL and reason", async () => {
    const closed = await serveFolderAsHub({});
    const deadUrl = closed.url;
    await closed.close();
    await expect(resolveModelSource("org/model", { cacheDir: cache, hubUrl: deadUrl })).rejects.toThrow(
      /model "org\/model" \(revision main\) is not on this machine and downloading it from http:\/\/127\.0\.0\.1:\d+ failed: GET http:\/\/127\.0\.0\.1:\d+\/api\/models\/org\/model\/revision\/main\?blobs=true: fetch failed \(ECONNREFUSED\)/,
    );
    await expect(resolveModelSource("org/missing", { cacheDir: cache, hubUrl: hub.url })).rejects.toThrow(
      /failed: GET .* HTTP 404 RepoNotFound \(Repository not found\)/,
    );
    await expect(lstat(join(cache, "models--org--missing"))).rejects.toThrow(/ENOENT/);
  });

  it("uses an existing local folder as it is, and rejects a missing path", async () => {
    const before = hub.requests.length;
    expect(await resolveModelSource(bert, { cacheDir: cache, hubUrl: hub.url })).toEqual({
      folder: bert,
      origin: "local",
    });
    await expect(resolveModelSource("./no/such/folder", { cacheDir: cache, hubUrl: hub.url })).rejects.toThrow(
      /model folder "\.\/no\/such\/folder" does not exist/,
    );
    await expect(resolveModelSource(join(bert, "config.json"), { cacheDir: cache })).rejects.toThrow(
      /is a file; give the model folder/,
    );
    expect(hub.requests.length).toBe(before);
  });

  it("downloads dataset repos too (the generic layer the data package can reuse)", async () => {
    const repo = { type: "dataset" as const, name: "aflora-test/tiny-glue" };
    const got = await downloadRepoFiles({
      repo,
      cacheDir: cache,
      hubUrl: hub.url,
      select: (files) => files.filter((f) => f.path.endsWith(".json")).map((f) => f.path),
    });
    expect(got.folder).toBe(
      join(cache, "datasets--aflora-test--tiny-glue", "snapshots", sha1("datasets/aflora-test/tiny-glue@main")),
    );
    expect(got.files).toEqual([{ path: "sst2/train.json", size: (await readFile(join(spm, "config.json"))).length }]);
    expect(await readFile(join(got.folder, "sst2", "train.json"), "utf8")).toBe(
      await readFile(join(spm, "config.json"), "utf8"),
    );
    expect(
      hub.requests.some((r) => r.startsWith(`/datasets/aflora-test/tiny-glue/resolve/${got.commit}/sst2/train.json`)),
    ).toBe(true);
    const again = await downloadRepoFiles({ repo, cacheDir: cache, hubUrl: hub.url, paths: ["sst2/train.json"] });
    expect(again).toEqual({ ...got, downloaded: false });
    const more = await downloadRepoFiles({ repo, cacheDir: cache, hubUrl: hub.url, paths: ["README.md"] });
    expect(more.downloaded).toBe(true);
    expect((await readdir(got.folder)).sort()).toEqual(["README.md", "sst2"]);
    await expect(
      downloadRepoFiles({ repo, cacheDir: cache, hubUrl: hub.url, paths: ["nope.parquet"] }),
    ).rejects.toThrow(/"nope\.parquet" is not in the repository/);
    await expect(
      downloadRepoFiles({ repo, cacheDir: cache, offline: true, warn: quiet, paths: ["README.md"] }),
    ).resolves.toMatchObject({ downloaded: false });
  });
});
