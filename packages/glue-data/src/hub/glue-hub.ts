import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { GlueTask } from "../tasks/glue-tasks.js";
import { fetchWithTimeouts, type FetchTimeouts } from "./fetch-timeouts.js";

export const GLUE_HUB_REPO = "nyu-mll/glue";

export interface GlueHubOptions extends FetchTimeouts {
  /** Root of the local cache; files land in `<cacheDir>/nyu-mll/glue/<revision>/<task>/<file>`. */
  cacheDir?: string;
  /** Hub endpoint (default `$HF_ENDPOINT` or https://huggingface.co; tests point it at a local server). */
  hubUrl?: string;
  /** Branch, tag or commit of nyu-mll/glue (default "main"); validated so it cannot leave the cache. */
  revision?: string;
  accessToken?: string;
  fetch?: typeof fetch;
  /** Use only the cache (default: `HF_HUB_OFFLINE=1` or `AFLORA_OFFLINE=1`). */
  offline?: boolean;
  /** Notes such as re-downloading a corrupt cached file (default console.warn). */
  warn?: (message: string) => void;
}

/** `$AFLORA_CACHE_DIR/datasets`, else `~/.cache/aflora/datasets`. */
export function defaultDatasetCacheDir(): string {
  return join(process.env.AFLORA_CACHE_DIR ?? join(homedir(), ".cache", "aflora"), "datasets");
}

/** Path of one split in the nyu-mll/glue repository, e.g. `mnli/validation_matched-00000-of-00001.parquet`. */
export function glueParquetPath(task: GlueTask, split: string): string {
  if (!/^[a-z0-9_]+$/.test(task.name) || !/^[a-z0-9_]+$/.test(split)) {
    throw new GlueDownloadError(`GLUE task "${task.name}" / split "${split}" is not a plain name`, "input");
  }
  return `${task.name}/${split}-00000-of-00001.parquet`;
}

/** A git branch, tag or commit: letters, digits, `_ - . /`; no `..`, hidden or empty parts, no encoded separators. */
export function validateGlueRevision(revision: string): string {
  const parts = revision.split("/");
  if (
    !/^[\w.\-/]{1,255}$/.test(revision) ||
    revision.startsWith("-") ||
    parts.some((p) => p === "" || p === "." || p === ".." || p.startsWith("."))
  ) {
    throw new GlueDownloadError(
      `data.revision ${JSON.stringify(revision)} is not a branch, tag or commit of ${GLUE_HUB_REPO} ` +
        `(no "..", "/" at the ends or "%")`,
      "input",
    );
  }
  return revision;
}

/**
 * `kind` tells a CLI how to exit: "input" for a bad name in the config (a usage error),
 * "cache" for a corrupt cached file offline, "download" when the hub could not deliver.
 */
export class GlueDownloadError extends Error {
  constructor(
    message: string,
    readonly kind: "input" | "cache" | "download" = "download",
  ) {
    super(message);
    this.name = "GlueDownloadError";
  }
}

/**
 * The local paths of a task's train and evaluation parquet files, downloading the missing
 * ones from the hub (`glue:<task>`). A download must match the hub's listed size and SHA-256
 * (X-Linked-Etag) and be a parquet file (PAR1 at both ends), so an HTML error page served
 * with status 200 is never cached. Cached files are re-checked on use (their recorded SHA-256
 * and magic number); a corrupt one is downloaded again, or, offline, reported with its path.
 * When the hub cannot be reached, one error lists every file and where to put it.
 */
export async function fetchGlueParquet(
  task: GlueTask,
  options: GlueHubOptions = {},
): Promise<{ train: string; eval: string[] }> {
  const revision = validateGlueRevision(options.revision ?? "main");
  const root = join(options.cacheDir ?? defaultDatasetCacheDir(), GLUE_HUB_REPO, ...revision.split("/"));
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const offline = options.offline ?? offlineByEnvironment();
  const splits = ["train", ...task.evalSplits.map((s) => s.split)];
  const repoPaths = splits.map((s) => glueParquetPath(task, s));
  const local = repoPaths.map((p) => join(root, ...p.split("/")));
  const missing: number[] = [];
  for (let i = 0; i < local.length; i++) {
    const problem = await cachedProblem(local[i]!);
    if (problem === null) continue;
    if (problem !== "missing") {
      if (offline)
        throw new GlueDownloadError(
          `${local[i]}: ${problem}; delete it and download it again (offline mode is on)`,
          "cache",
        );
      warn(`${local[i]}: ${problem}; downloading it again`);
      await rm(local[i]!, { force: true });
      await rm(`${local[i]}.sha256`, { force: true });
    }
    missing.push(i);
  }
  const failures: string[] = [];
  for (const i of missing) {
    if (offline) {
      failures.push(`${repoPaths[i]}: offline mode is on (HF_HUB_OFFLINE or AFLORA_OFFLINE)`);
      continue;
    }
    try {
      await download(repoPaths[i]!, local[i]!, revision, options);
    } catch (e) {
      failures.push(`${repoPaths[i]}: ${(e as Error).message}`);
    }
  }
  if (failures.length > 0) {
    const hub = hubUrlOf(options);
    const lines = missing.map(
      (i) => `  ${local[i]}  ←  ${hub}/datasets/${GLUE_HUB_REPO}/resolve/${revision}/${repoPaths[i]}`,
    );
    throw new GlueDownloadError(
      `Cannot download GLUE ${task.displayName} from the Hugging Face hub (${failures[0]}). ` +
        `If you are offline, put these files in place:\n${lines.join("\n")}\n` +
        `or point the task's dataDir at a GLUE distribution folder (${task.tsv.folder}/train.tsv, ${task.evalSplits.map((s) => s.tsvFile).join(", ")}).`,
    );
  }
  return { train: local[0]!, eval: local.slice(1) };
}

function hubUrlOf(options: GlueHubOptions): string {
  return (options.hubUrl ?? (process.env["HF_ENDPOINT"] || "https://huggingface.co")).replace(/\/+$/, "");
}

function offlineByEnvironment(): boolean {
  const on = (v: string | undefined) => v !== undefined && ["1", "true", "yes", "on"].includes(v.toLowerCase());
  return on(process.env["HF_HUB_OFFLINE"]) || on(process.env["AFLORA_OFFLINE"]);
}

/** "missing", a reason the cached file is corrupt, or null when it is intact. */
async function cachedProblem(path: string): Promise<string | null> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return "missing";
  }
  if (!info.isFile()) return "is not a regular file";
  const magic = await parquetMagicProblem(path, info.size);
  if (magic) return magic;
  const recorded = await readFile(`${path}.sha256`, "utf8").catch(() => null);
  if (recorded !== null && (await sha256File(path)) !== recorded.trim())
    return `its content no longer matches the SHA-256 recorded at download (${recorded.trim()})`;
  return null;
}

async function parquetMagicProblem(path: string, size: number): Promise<string | null> {
  const handle = await open(path, "r");
  try {
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    if (size >= 12) {
      await handle.read(head, 0, 4, 0);
      await handle.read(tail, 0, 4, size - 4);
    }
    if (head.toString("latin1") === "PAR1" && tail.toString("latin1") === "PAR1") return null;
    const start = head.toString("latin1").toLowerCase();
    return start.startsWith("<")
      ? "is an HTML page, not a parquet file (a proxy, login or error page?)"
      : "is not a parquet file (no PAR1 magic number)";
  } finally {
    await handle.close();
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

const HEX64 = /^[0-9a-f]{64}$/;

async function download(repoPath: string, target: string, revision: string, options: GlueHubOptions): Promise<void> {
  const url = `${hubUrlOf(options)}/datasets/${GLUE_HUB_REPO}/resolve/${encodeURIComponent(revision)}/${repoPath}`;
  const headers = options.accessToken ? { Authorization: `Bearer ${options.accessToken}` } : undefined;
  const common = {
    fetch: options.fetch,
    connectTimeoutMs: options.connectTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    headers,
  };
  // The hub answers LFS files with a redirect whose X-Linked-Etag/X-Linked-Size name the file's SHA-256 and size.
  let res = await fetchWithTimeouts(url, { ...common, redirect: "manual" });
  const tag = (r: Response) =>
    (r.headers.get("x-linked-etag") ?? r.headers.get("etag") ?? "").replace(/^W\//, "").replace(/"/g, "");
  let sha = tag(res);
  let size = Number(res.headers.get("x-linked-size") ?? Number.NaN);
  if (res.status >= 300 && res.status < 400 && res.headers.get("location")) {
    await res.body?.cancel();
    res = await fetchWithTimeouts(new URL(res.headers.get("location")!, url).href, common);
  }
  if (res.status === 404) throw new Error("not found on the hub");
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} from ${url}`);
  if (!HEX64.test(sha)) sha = tag(res);
  if (!Number.isFinite(size)) size = Number(res.headers.get("content-length") ?? Number.NaN);
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.incomplete`;
  try {
    const hash = createHash("sha256");
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(
      Readable.fromWeb(res.body as unknown as WebReadableStream),
      meter,
      createWriteStream(temp, { flags: "wx" }),
    );
    const digest = hash.digest("hex");
    if (Number.isFinite(size) && bytes !== size)
      throw new Error(`received ${bytes} bytes, the hub said ${size} (${url})`);
    if (HEX64.test(sha) && digest !== sha)
      throw new Error(`the content hashes to ${digest}, the hub's ETag says ${sha} (${url})`);
    const magic = await parquetMagicProblem(temp, bytes);
    if (magic) throw new Error(`${url} ${magic}; not cached`);
    await writeFile(`${target}.sha256`, digest);
    await rename(temp, target);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}
