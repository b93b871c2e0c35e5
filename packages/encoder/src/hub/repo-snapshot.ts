import type { HubTimeouts } from "./fetch-with-timeouts.js";
import { fetchWithTimeouts } from "./fetch-with-timeouts.js";
import type { RepoFileInfo } from "./hub-cache.js";
import type { HubRepo } from "./hub-repo.js";
import { validateBlobId, validateCommit, validateRepoName, validateRepoPath } from "./validate-hub-names.js";

/** A revision resolved to its commit, with every file's size and checksum. */
export interface RepoSnapshot {
  commit: string;
  files: RepoFileInfo[];
}

export class HubRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "HubRequestError";
  }
}

/**
 * `GET /api/{models,datasets}/<id>/revision/<rev>?blobs=true`, the call huggingface_hub's
 * `model_info(files_metadata=True)` makes: the commit, and per file its size, git blob id and
 * LFS SHA-256. Everything the server says is validated before it names anything on disk.
 */
export async function fetchRepoSnapshot(
  repo: HubRepo,
  revision: string,
  opts: HubTimeouts & { hubUrl: string; accessToken?: string | undefined; fetch?: typeof fetch | undefined },
): Promise<RepoSnapshot> {
  validateRepoName(repo.name);
  const hub = opts.hubUrl.replace(/\/+$/, "");
  const url = `${hub}/api/${repo.type}s/${repo.name}/revision/${encodeURIComponent(revision)}?blobs=true`;
  const res = await fetchWithTimeouts(url, {
    fetch: opts.fetch,
    timeouts: opts,
    headers: opts.accessToken ? { Authorization: `Bearer ${opts.accessToken}` } : {},
  });
  const text = await res.text();
  if (!res.ok) {
    const code = res.headers.get("x-error-code");
    let detail = "";
    try {
      detail = String((JSON.parse(text) as { error?: unknown }).error ?? "");
    } catch {
      detail = "";
    }
    throw new HubRequestError(
      `GET ${url}: HTTP ${res.status}${code ? ` ${code}` : ""}${detail ? ` (${detail})` : ""}`,
      res.status,
    );
  }
  let info: { sha?: unknown; siblings?: unknown };
  try {
    info = JSON.parse(text) as typeof info;
  } catch {
    const start = JSON.stringify(text.slice(0, 60));
    throw new HubRequestError(`GET ${url}: the answer is not JSON (${start}…)`, res.status);
  }
  const commit = validateCommit(info.sha, `${url}: commit "sha"`);
  if (!Array.isArray(info.siblings)) throw new HubRequestError(`GET ${url}: no "siblings" list of files`, res.status);
  const files: RepoFileInfo[] = [];
  for (const raw of info.siblings as Record<string, unknown>[]) {
    const path = validateRepoPath(raw?.["rfilename"] as string, `${url}: file name`);
    const lfs = raw["lfs"] as { sha256?: unknown; size?: unknown } | undefined | null;
    const size = lfs ? lfs.size : raw["size"];
    if (!Number.isSafeInteger(size) || (size as number) < 0)
      throw new HubRequestError(`GET ${url}: "${path}" has no valid size`, res.status);
    const blobId = validateBlobId(lfs ? lfs.sha256 : raw["blobId"], `${url}: checksum of "${path}"`);
    files.push({ path, size: size as number, blobId });
  }
  return { commit, files };
}
