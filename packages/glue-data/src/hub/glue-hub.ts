import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { downloadFile } from "@huggingface/hub";
import type { GlueTask } from "../tasks/glue-tasks.js";

export const GLUE_HUB_REPO = "nyu-mll/glue";

export interface GlueHubOptions {
  /** Root of the local cache; files land in `<cacheDir>/nyu-mll/glue/<revision>/<task>/<file>`. */
  cacheDir?: string;
  /** Hub endpoint (default https://huggingface.co; tests point it at a local server). */
  hubUrl?: string;
  revision?: string;
  accessToken?: string;
  fetch?: typeof fetch;
}

/** `$AFLORA_CACHE_DIR/datasets`, else `~/.cache/aflora/datasets`. */
export function defaultDatasetCacheDir(): string {
  return join(process.env.AFLORA_CACHE_DIR ?? join(homedir(), ".cache", "aflora"), "datasets");
}

/** Path of one split in the nyu-mll/glue repository, e.g. `mnli/validation_matched-00000-of-00001.parquet`. */
export function glueParquetPath(task: GlueTask, split: string): string {
  return `${task.name}/${split}-00000-of-00001.parquet`;
}

export class GlueDownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GlueDownloadError";
  }
}

/**
 * The local paths of a task's train and evaluation parquet files, downloading the missing
 * ones from the hub (`glue:<task>`). Files already in the cache are reused without any
 * network access. When the hub cannot be reached, one error lists every file and where to put it.
 */
export async function fetchGlueParquet(task: GlueTask, options: GlueHubOptions = {}): Promise<{ train: string; eval: string[] }> {
  const revision = options.revision ?? "main";
  const root = join(options.cacheDir ?? defaultDatasetCacheDir(), GLUE_HUB_REPO, revision);
  const splits = ["train", ...task.evalSplits.map((s) => s.split)];
  const repoPaths = splits.map((s) => glueParquetPath(task, s));
  const local = repoPaths.map((p) => join(root, p));
  const missing: number[] = [];
  for (let i = 0; i < local.length; i++) if (!(await isFile(local[i]!))) missing.push(i);
  const failures: string[] = [];
  for (const i of missing) {
    try {
      await download(repoPaths[i]!, local[i]!, revision, options);
    } catch (e) {
      failures.push(`${repoPaths[i]}: ${(e as Error).message}`);
    }
  }
  if (failures.length > 0) {
    const hub = options.hubUrl ?? "https://huggingface.co";
    const lines = missing.map((i) => `  ${local[i]}  ←  ${hub}/datasets/${GLUE_HUB_REPO}/resolve/${revision}/${repoPaths[i]}`);
    throw new GlueDownloadError(
      `Cannot download GLUE ${task.displayName} from the Hugging Face hub (${failures[0]}). ` +
        `If you are offline, put these files in place:\n${lines.join("\n")}\n` +
        `or point the task's dataDir at a GLUE distribution folder (${task.tsv.folder}/train.tsv, ${task.evalSplits.map((s) => s.tsvFile).join(", ")}).`,
    );
  }
  return { train: local[0]!, eval: local.slice(1) };
}

async function download(repoPath: string, target: string, revision: string, options: GlueHubOptions): Promise<void> {
  const blob = await downloadFile({
    repo: { type: "dataset", name: GLUE_HUB_REPO },
    path: repoPath,
    revision,
    ...(options.hubUrl ? { hubUrl: options.hubUrl } : {}),
    ...(options.accessToken ? { accessToken: options.accessToken } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  if (!blob) throw new Error("not found on the hub");
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.${Date.now()}.incomplete`;
  try {
    await pipeline(Readable.fromWeb(blob.stream() as unknown as WebReadableStream), createWriteStream(temp));
    await rename(temp, target);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}
