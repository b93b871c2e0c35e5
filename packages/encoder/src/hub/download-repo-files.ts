import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { writeFileAtomic } from "@aflora/core";
import { downloadFile, listFiles } from "@huggingface/hub";
import { defaultHubUrl, repoCacheFolder, type HubRepo } from "./hub-repo.js";

export interface HubFile {
  path: string;
  size: number;
}

export interface DownloadRepoFilesOptions {
  repo: HubRepo;
  /** Root of the local cache; the repo goes to `repoCacheFolder(cacheDir, repo, revision)`. */
  cacheDir: string;
  /** Exactly these files (repo-relative paths); reused from the cache when all are there. */
  paths?: string[];
  /** Picks the files to fetch from the repo listing (all of them when neither this nor `paths` is given). Throw to reject the repo. */
  select?: (files: HubFile[]) => string[];
  /** Names what `select` picks, so a later call with the same key reuses the cache without listing the repo (default "select"). */
  selectionKey?: string;
  revision?: string;
  hubUrl?: string;
  accessToken?: string;
  fetch?: typeof fetch;
}

export interface DownloadedRepo {
  folder: string;
  files: HubFile[];
  /** false when every file came from an earlier complete download */
  downloaded: boolean;
}

/** Written last, atomically: its presence means every file it lists is complete. */
export const COMPLETE_MARKER = ".aflora-download.json";

interface Marker {
  repo: HubRepo;
  revision: string;
  files: HubFile[];
  /** selection keys completed in this folder ("all", a `selectionKey`) */
  selections: string[];
}

/**
 * Downloads selected files of a Hub repository (model or dataset) into a local cache folder
 * with @huggingface/hub. Each file is streamed to a temp file and renamed into place, and a
 * marker is written after the last one, so an interrupted download is never mistaken for a
 * complete one; a later call with a complete marker does no network request at all.
 */
export async function downloadRepoFiles(opts: DownloadRepoFilesOptions): Promise<DownloadedRepo> {
  const revision = opts.revision ?? "main";
  const folder = repoCacheFolder(opts.cacheDir, opts.repo, revision);
  const key = opts.paths ? null : opts.select ? (opts.selectionKey ?? "select") : "all";
  const cached = await readCompleteDownload(folder);
  if (cached) {
    const have = new Set(cached.files.map((f) => f.path));
    if (opts.paths ? opts.paths.every((p) => have.has(p)) : cached.selections.includes(key!)) {
      const files = opts.paths ? cached.files.filter((f) => opts.paths!.includes(f.path)) : cached.files;
      return { folder, files, downloaded: false };
    }
  }

  const hubUrl = opts.hubUrl ?? defaultHubUrl();
  const common = { repo: opts.repo, revision, hubUrl, fetch: opts.fetch, ...(opts.accessToken ? { accessToken: opts.accessToken } : {}) };
  const listing: HubFile[] = [];
  for await (const entry of listFiles({ ...common, recursive: true })) {
    if (entry.type === "file") listing.push({ path: entry.path, size: entry.lfs?.size ?? entry.size });
  }
  const wanted = new Set(opts.paths ?? (opts.select ? opts.select(listing) : listing.map((f) => f.path)));
  const files = listing.filter((f) => wanted.has(f.path));
  for (const path of wanted) {
    if (!files.some((f) => f.path === path)) throw new Error(`${opts.repo.name}: "${path}" is not in the repository`);
  }

  await mkdir(folder, { recursive: true });
  for (const file of files) {
    const target = join(folder, ...file.path.split("/"));
    if (!target.startsWith(folder + sep)) throw new Error(`${opts.repo.name}: refusing file path "${file.path}" outside the repository folder`);
    if ((await sizeOf(target)) === file.size) continue; // finished by an earlier, interrupted run
    const blob = await downloadFile({ ...common, path: file.path });
    if (!blob) throw new Error(`${opts.repo.name}: "${file.path}" is listed but the Hub has no such file`);
    await mkdir(dirname(target), { recursive: true });
    await streamToFileAtomic(blob, target, file.size);
  }
  const merged = new Map((cached?.files ?? []).map((f) => [f.path, f]));
  for (const f of files) merged.set(f.path, f);
  const selections = [...new Set([...(cached?.selections ?? []), ...(key ? [key] : [])])];
  const marker: Marker = { repo: opts.repo, revision, files: [...merged.values()], selections };
  await writeFileAtomic(join(folder, COMPLETE_MARKER), JSON.stringify(marker, null, 1));
  return { folder, files, downloaded: true };
}

/** The files of a complete earlier download in `folder`, or null. */
export async function readCompleteDownload(folder: string): Promise<Marker | null> {
  let marker: Marker;
  try {
    marker = JSON.parse(await readFile(join(folder, COMPLETE_MARKER), "utf8")) as Marker;
  } catch {
    return null;
  }
  if (!Array.isArray(marker.files) || !Array.isArray(marker.selections)) return null;
  for (const f of marker.files) {
    if ((await sizeOf(join(folder, ...f.path.split("/")))) !== f.size) return null;
  }
  return marker;
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

function tempName(path: string): string {
  return join(dirname(path), `.${path.split(sep).pop()}.${process.pid}.${randomBytes(4).toString("hex")}.part`);
}

async function streamToFileAtomic(blob: Blob, path: string, expectedSize: number): Promise<void> {
  const tmp = tempName(path);
  try {
    await pipeline(Readable.fromWeb(blob.stream() as unknown as WebReadableStream), createWriteStream(tmp, { flags: "wx" }));
    const size = await sizeOf(tmp);
    if (size !== expectedSize) throw new Error(`received ${size} bytes, the Hub listed ${expectedSize}`);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new Error(`${path}: download failed (${(e as Error).message})`);
  }
}
