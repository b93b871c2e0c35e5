import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { contentProblem } from "./content-check.js";
import { fetchWithTimeouts, HubNetworkError, HubTimeoutError, type HubTimeouts } from "./fetch-with-timeouts.js";
import { hashFile, HubCache, type RepoFileInfo } from "./hub-cache.js";
import { defaultHubUrl, repoCacheFolder, type HubRepo } from "./hub-repo.js";
import { fetchRepoSnapshot, type RepoSnapshot } from "./repo-snapshot.js";
import { validateRepoPath, validateRevision } from "./validate-hub-names.js";

export interface HubFile {
  path: string;
  size: number;
}

export interface DownloadRepoFilesOptions extends HubTimeouts {
  repo: HubRepo;
  /** Root of the Hugging Face cache (see `defaultHubCacheDir`); the repo lives in `<cacheDir>/models--org--name`. */
  cacheDir: string;
  /** Exactly these files (repo-relative paths). */
  paths?: string[];
  /** Picks the files to fetch from the listing (default: all, unless `paths`). Throw to reject the repo. */
  select?: (files: HubFile[]) => string[];
  /** Branch, tag, `refs/pr/N` or commit id (default "main"). */
  revision?: string;
  hubUrl?: string;
  accessToken?: string;
  fetch?: typeof fetch;
  /** Use only the cache (HF_HUB_OFFLINE); default false. */
  offline?: boolean;
  /** Notes: falling back to the cache when the Hub is unreachable, re-downloading a corrupt cache entry. */
  warn?: (message: string) => void;
}

export interface DownloadedRepo {
  /** `snapshots/<commit>`: the files under their repo paths. */
  folder: string;
  commit: string;
  files: HubFile[];
  /** false when every file came from the cache */
  downloaded: boolean;
}

/** A cached file whose bytes do not match the Hub's checksum, when it cannot be re-downloaded. */
export class PoisonedCacheError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PoisonedCacheError";
  }
}

/** Offline (or the Hub unreachable) and the cache lacks what was asked for. */
export class NotInCacheError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotInCacheError";
  }
}

/**
 * Downloads files of a Hub repository (model or dataset) into huggingface_hub's cache layout, so
 * Python and aflora share one cache. Every file is checked against the Hub's listed size and
 * SHA-256 (LFS) or git SHA-1 and against its expected type before it enters `blobs/`; cached
 * files are re-hashed on use, and a poisoned one is re-downloaded (or, offline, reported with
 * the path to delete). Offline, or when the Hub does not answer, the cache alone is used.
 */
export async function downloadRepoFiles(opts: DownloadRepoFilesOptions): Promise<DownloadedRepo> {
  const revision = validateRevision(opts.revision ?? "main");
  for (const p of opts.paths ?? []) validateRepoPath(p);
  const cache = new HubCache(repoCacheFolder(opts.cacheDir, opts.repo));
  const warn = opts.warn ?? ((m: string) => console.warn(m));

  let snapshot: RepoSnapshot | null = null;
  if (!opts.offline) {
    try {
      snapshot = await fetchRepoSnapshot(opts.repo, revision, { ...opts, hubUrl: opts.hubUrl ?? defaultHubUrl() });
    } catch (e) {
      const cached = await fromCache(cache, revision, opts, true);
      if (!cached || !isNetworkFailure(e)) throw e;
      warn(`${(e as Error).message}; using the cached snapshot ${cached.commit} of ${opts.repo.name}`);
      return cached;
    }
  } else {
    const cached = await fromCache(cache, revision, opts, false);
    if (cached) return cached;
    throw new NotInCacheError(
      `${opts.repo.type} "${opts.repo.name}" (revision ${revision}) is not in the cache ${cache.repoFolder}`,
    );
  }

  const wanted = pick(snapshot.files, opts);
  let downloaded = false;
  for (const file of wanted) {
    const problem = await cache.problemWith(snapshot.commit, file);
    if (problem === null) continue;
    if (problem !== "missing") {
      warn(`${cache.linkPath(snapshot.commit, file.path)}: ${problem}; downloading it again`);
      await cache.evict(snapshot.commit, file);
    }
    if (!(await blobIntact(cache, file))) {
      await downloadBlob(opts, snapshot.commit, file, cache.blobPath(file.blobId));
      downloaded = true;
    }
    await cache.link(snapshot.commit, file);
  }
  await cache.writeRef(revision, snapshot.commit);
  return {
    folder: cache.snapshotFolder(snapshot.commit),
    commit: snapshot.commit,
    files: wanted.map(({ path, size }) => ({ path, size })),
    downloaded,
  };
}

function pick(listing: RepoFileInfo[], opts: DownloadRepoFilesOptions): RepoFileInfo[] {
  const names =
    opts.paths ??
    (opts.select ? opts.select(listing.map(({ path, size }) => ({ path, size }))) : listing.map((f) => f.path));
  return names.map((path) => {
    const f = listing.find((x) => x.path === path);
    if (!f) throw new Error(`${opts.repo.name}: "${path}" is not in the repository`);
    return f;
  });
}

/** The cached snapshot of `revision` when every wanted file is intact; offline, a poisoned file is an error naming it. */
async function fromCache(
  cache: HubCache,
  revision: string,
  opts: DownloadRepoFilesOptions,
  quiet: boolean,
): Promise<DownloadedRepo | null> {
  const commit = await cache.commitOf(revision);
  if (!commit) return null;
  const files = await cache.snapshotFiles(commit);
  if (!files) return null;
  let wanted: RepoFileInfo[];
  try {
    wanted = pick(files, opts);
  } catch {
    return null;
  }
  for (const file of wanted) {
    const problem = await cache.problemWith(commit, { ...file, size: -1 });
    if (problem === null) continue;
    if (quiet) return null;
    throw new PoisonedCacheError(
      `${cache.linkPath(commit, file.path)}: ${problem}. Delete ${cache.snapshotFolder(commit)} ` +
        `(and ${cache.repoFolder}/blobs if unsure) and download it again`,
    );
  }
  return {
    folder: cache.snapshotFolder(commit),
    commit,
    files: wanted.map(({ path, size }) => ({ path, size })),
    downloaded: false,
  };
}

async function blobIntact(cache: HubCache, file: RepoFileInfo): Promise<boolean> {
  const blob = cache.blobPath(file.blobId);
  try {
    return (await hashFile(blob, file.blobId.length === 64 ? "sha256" : "git-sha1", file.size)) === file.blobId;
  } catch {
    return false;
  }
}

function resolveUrl(opts: DownloadRepoFilesOptions, commit: string, path: string): string {
  const hub = (opts.hubUrl ?? defaultHubUrl()).replace(/\/+$/, "");
  const prefix = opts.repo.type === "dataset" ? "datasets/" : "";
  return `${hub}/${prefix}${opts.repo.name}/resolve/${commit}/${path.split("/").map(encodeURIComponent).join("/")}`;
}

/** Streams one file into `blobs/<id>` through a temp file, hashing as it goes; nothing unverified is renamed in. */
async function downloadBlob(
  opts: DownloadRepoFilesOptions,
  commit: string,
  file: RepoFileInfo,
  blob: string,
): Promise<void> {
  const url = resolveUrl(opts, commit, file.path);
  const tmp = `${blob}.${process.pid}.${randomBytes(4).toString("hex")}.incomplete`;
  const fail = (why: string): never => {
    throw new Error(`${url}: ${why}`);
  };
  await mkdir(join(blob, ".."), { recursive: true });
  try {
    const res = await fetchWithTimeouts(url, {
      fetch: opts.fetch,
      timeouts: opts,
      headers: opts.accessToken ? { Authorization: `Bearer ${opts.accessToken}` } : {},
    });
    const errorCode = res.headers.get("x-error-code");
    if (!res.ok || !res.body) fail(`HTTP ${res.status} ${res.statusText}${errorCode ? ` (${errorCode})` : ""}`);
    const etag = (res.headers.get("x-linked-etag") ?? res.headers.get("etag") ?? "")
      .replace(/^W\//, "")
      .replace(/"/g, "");
    if (/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(etag) && etag !== file.blobId)
      fail(`the server's ETag ${etag} differs from the listed ${file.blobId}`);
    const hash = createHash(file.blobId.length === 64 ? "sha256" : "sha1");
    if (file.blobId.length === 40) hash.update(`blob ${file.size}\0`);
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes > file.size) return done(new Error(`received more than the ${file.size} bytes the Hub lists`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(
      Readable.fromWeb(res.body as unknown as WebReadableStream),
      meter,
      createWriteStream(tmp, { flags: "wx" }),
    );
    if (bytes !== file.size) fail(`received ${bytes} bytes, the Hub lists ${file.size}`);
    const digest = hash.digest("hex");
    if (digest !== file.blobId)
      fail(`the content hashes to ${digest}, the Hub lists ${file.blobId} (corrupted in transit or tampered)`);
    const problem = await contentProblem(tmp, file.path, bytes);
    if (problem) fail(`${file.path}: ${problem}`);
    await rename(tmp, blob);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

function isNetworkFailure(e: unknown): boolean {
  return e instanceof HubTimeoutError || e instanceof HubNetworkError;
}
