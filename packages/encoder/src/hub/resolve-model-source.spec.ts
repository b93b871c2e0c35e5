import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTokenizer } from "../tokenizer/load-tokenizer.js";
import { COMPLETE_MARKER, downloadRepoFiles } from "./download-repo-files.js";
import { serveFolderAsHub, type LocalHub } from "./local-hub-server.js";
import { resolveModelSource } from "./resolve-model-source.js";

const fixtures = new URL("../../../../fixtures/", import.meta.url).pathname;
const deberta = join(fixtures, "hf-parity/deberta-v3-tiny-cls3");
const spm = join(fixtures, "tokenizers/deberta-v3-spm");
const bert = join(fixtures, "hf-parity/bert-tiny-cls3");
const wordpiece = join(fixtures, "tokenizers/bert-wordpiece");

describe("resolveModelSource against a local Hub on 127.0.0.1", () => {
  let hub: LocalHub;
  let cache: string;

  beforeAll(async () => {
    cache = await mkdtemp(join(tmpdir(), "aflora-hub-"));
    hub = await serveFolderAsHub({
      // Like microsoft/deberta-v3-base: spm.model and no tokenizer.json; both weight formats on the Hub.
      "aflora-test/deberta-v3-tiny": {
        "config.json": join(deberta, "config.json"),
        "model.safetensors": join(deberta, "model.safetensors"),
        "pytorch_model.bin": join(deberta, "pytorch_model.bin"),
        "expected.json": join(deberta, "expected.json"),
        "spm.model": join(spm, "spm.model"),
        "tokenizer_config.json": join(spm, "tokenizer_config.json"),
        "onnx/model.onnx": join(deberta, "config.json"),
      },
      // Only pytorch_model.bin, as many older checkpoints.
      "aflora-test/bert-bin-only": {
        "config.json": join(bert, "config.json"),
        "pytorch_model.bin": join(bert, "pytorch_model.bin"),
        "tokenizer.json": join(wordpiece, "tokenizer.json"),
        "tokenizer_config.json": join(wordpiece, "tokenizer_config.json"),
      },
      "datasets/aflora-test/tiny-glue": { "README.md": join(fixtures, "tokenizers/README.md"), "sst2/train.json": join(spm, "config.json") },
    });
  });

  afterAll(async () => {
    await hub?.close();
    await rm(cache, { recursive: true, force: true });
  });

  it("downloads config, tokenizer files and the safetensors weights, byte for byte", async () => {
    const src = await resolveModelSource("aflora-test/deberta-v3-tiny", { cacheDir: cache, hubUrl: hub.url });
    expect(src).toEqual({ folder: join(cache, "aflora-test", "deberta-v3-tiny"), origin: "download", id: "aflora-test/deberta-v3-tiny" });
    const names = (await readdir(src.folder)).sort();
    expect(names).toEqual([COMPLETE_MARKER, "config.json", "model.safetensors", "spm.model", "tokenizer_config.json"].sort());
    for (const [name, from] of [["model.safetensors", deberta], ["spm.model", spm]] as const) {
      expect(new Uint8Array(await readFile(join(src.folder, name)))).toEqual(new Uint8Array(await readFile(join(from, name))));
    }
    expect(hub.requests.some((r) => r.startsWith("/api/models/aflora-test/deberta-v3-tiny/tree/main"))).toBe(true);
    expect(hub.requests.some((r) => r.includes("/resolve/main/pytorch_model.bin") || r.includes("expected.json"))).toBe(false);
    // The downloaded folder is a working tokenizer folder.
    const tok = await loadTokenizer(src.folder);
    expect(tok.encode("the cats sat", "on the mat.").inputIds).toEqual([1, 5, 6, 7, 8, 2, 9, 5, 10, 11, 2]);
  });

  it("reuses the cache on the second call without any request, also offline", async () => {
    const before = hub.requests.length;
    const again = await resolveModelSource("aflora-test/deberta-v3-tiny", { cacheDir: cache, hubUrl: hub.url });
    const offline = await resolveModelSource("aflora-test/deberta-v3-tiny", { cacheDir: cache, hubUrl: hub.url, offline: true });
    expect(again.origin).toBe("cache");
    expect(offline).toEqual(again);
    expect(hub.requests.length).toBe(before);
  });

  it("falls back to pytorch_model.bin when the repo has no safetensors", async () => {
    const src = await resolveModelSource("aflora-test/bert-bin-only", { cacheDir: cache, hubUrl: hub.url });
    expect((await readdir(src.folder)).sort()).toEqual([COMPLETE_MARKER, "config.json", "pytorch_model.bin", "tokenizer.json", "tokenizer_config.json"].sort());
  });

  it("an interrupted earlier download (files but no marker) is completed, not trusted", async () => {
    const other = await mkdtemp(join(tmpdir(), "aflora-hub-"));
    try {
      const folder = join(other, "aflora-test", "bert-bin-only");
      await mkdir(folder, { recursive: true });
      const full = await readFile(join(bert, "pytorch_model.bin"));
      await writeFile(join(folder, "pytorch_model.bin"), full.subarray(0, 1000));
      await expect(resolveModelSource("aflora-test/bert-bin-only", { cacheDir: other, offline: true })).rejects.toThrow(/offline mode is on/);
      const src = await resolveModelSource("aflora-test/bert-bin-only", { cacheDir: other, hubUrl: hub.url });
      expect(src.origin).toBe("download");
      expect(new Uint8Array(await readFile(join(folder, "pytorch_model.bin")))).toEqual(new Uint8Array(full));
      expect((await readdir(folder)).filter((n) => n.endsWith(".part"))).toEqual([]);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it("offline without a cache: one message naming the folder to provide and the files it needs", async () => {
    const p = resolveModelSource("microsoft/deberta-v3-base", { cacheDir: cache, hubUrl: hub.url, offline: true });
    await expect(p).rejects.toThrow(
      new RegExp(
        `model "microsoft/deberta-v3-base" is not on this machine and offline mode is on .* copy it to ${join(cache, "microsoft", "deberta-v3-base").replace(/[/\\]/g, "[/\\\\]")}\\. ` +
          `The folder needs config\\.json; model\\.safetensors .*pytorch_model\\.bin.*spm\\.model`,
      ),
    );
  });

  it("an unreachable Hub or an unknown repo gives the same kind of message with the reason", async () => {
    const closed = await serveFolderAsHub({});
    const deadUrl = closed.url;
    await closed.close();
    await expect(resolveModelSource("org/model", { cacheDir: cache, hubUrl: deadUrl })).rejects.toThrow(
      /model "org\/model" is not on this machine and downloading it from http:\/\/127\.0\.0\.1:\d+ failed: .*ECONNREFUSED.*The folder needs config\.json/,
    );
    await expect(resolveModelSource("org/missing", { cacheDir: cache, hubUrl: hub.url })).rejects.toThrow(/downloading it from .* failed: Repository not found/);
    await expect(readdir(join(cache, "org"))).rejects.toThrow(/ENOENT/);
  });

  it("uses an existing local folder as it is, and rejects a missing path", async () => {
    const before = hub.requests.length;
    expect(await resolveModelSource(bert, { cacheDir: cache, hubUrl: hub.url })).toEqual({ folder: bert, origin: "local" });
    await expect(resolveModelSource("./no/such/folder", { cacheDir: cache, hubUrl: hub.url })).rejects.toThrow(/model folder "\.\/no\/such\/folder" does not exist/);
    await expect(resolveModelSource(join(bert, "config.json"), { cacheDir: cache })).rejects.toThrow(/is a file; give the model folder/);
    expect(hub.requests.length).toBe(before);
  });

  it("downloads dataset repos too (the generic layer the data package can reuse)", async () => {
    const got = await downloadRepoFiles({
      repo: { type: "dataset", name: "aflora-test/tiny-glue" },
      cacheDir: cache,
      hubUrl: hub.url,
      select: (files) => files.filter((f) => f.path.endsWith(".json")).map((f) => f.path),
    });
    expect(got.folder).toBe(join(cache, "datasets", "aflora-test", "tiny-glue"));
    expect(got.files).toEqual([{ path: "sst2/train.json", size: (await readFile(join(spm, "config.json"))).length }]);
    expect(await readFile(join(got.folder, "sst2", "train.json"), "utf8")).toBe(await readFile(join(spm, "config.json"), "utf8"));
    expect(hub.requests.some((r) => r.startsWith("/datasets/aflora-test/tiny-glue/resolve/main/sst2/train.json"))).toBe(true);
    const before = hub.requests.length;
    const again = await downloadRepoFiles({ repo: { type: "dataset", name: "aflora-test/tiny-glue" }, cacheDir: cache, hubUrl: hub.url, paths: ["sst2/train.json"] });
    expect(again).toEqual({ ...got, downloaded: false });
    expect(hub.requests.length).toBe(before);
    // Another file of the same repo later: fetched and added to the same folder.
    const more = await downloadRepoFiles({ repo: { type: "dataset", name: "aflora-test/tiny-glue" }, cacheDir: cache, hubUrl: hub.url, paths: ["README.md"] });
    expect(more.downloaded).toBe(true);
    expect((await readdir(got.folder)).sort()).toEqual([COMPLETE_MARKER, "README.md", "sst2"].sort());
    const both = await downloadRepoFiles({ repo: { type: "dataset", name: "aflora-test/tiny-glue" }, cacheDir: cache, hubUrl: hub.url, paths: ["README.md", "sst2/train.json"] });
    expect(both.downloaded).toBe(false);
    await expect(downloadRepoFiles({ repo: { type: "dataset", name: "aflora-test/tiny-glue" }, cacheDir: cache, hubUrl: hub.url, paths: ["nope.parquet"] })).rejects.toThrow(/"nope\.parquet" is not in the repository/);
  });
});
