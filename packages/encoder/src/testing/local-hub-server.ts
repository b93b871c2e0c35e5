import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative, sep } from "node:path";

/** Repo id (`org/name`, or `datasets/org/name`) → a folder to serve, or explicit {path in repo: file on disk}. */
export type LocalHubRepos = Record<string, string | Record<string, string>>;

export interface LocalHubOptions {
  /** Commit id per "<repo id>@<revision>"; default: a SHA-1 of that string, so each revision has a stable commit. */
  commits?: Record<string, string>;
  /**
   * Runs before the normal handler, for fault injection in tests (a hub that never answers,
   * stalls mid-body, serves HTML or other bytes); return true when it answered the request.
   */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
}

/** Files the Hub stores with LFS by default (its .gitattributes): listed with a SHA-256, served with X-Linked-Etag. */
const LFS = /\.(safetensors|bin|parquet|model|onnx|h5|msgpack|pt|pth|ckpt|arrow)$/;

export interface LocalHub {
  /** Pass as `hubUrl`. */
  url: string;
  /** Every request path served so far, to check what a client fetched. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves folders on 127.0.0.1 the way the Hugging Face Hub serves repositories:
 * `GET /api/{models,datasets}/<id>/revision/<rev>?blobs=true` gives the commit and each file's
 * size, blob id and LFS SHA-256, `GET /api/{models,datasets}/<id>/tree/<rev>` lists files, and
 * `GET [/datasets]/<id>/resolve/<rev>/<path>` returns bytes with ETag (X-Linked-Etag for LFS
 * files), X-Repo-Commit, Content-Length and byte ranges. Missing files and repos answer 404
 * with the Hub's `X-Error-Code`. Test code: any revision name is accepted.
 */
export async function serveFolderAsHub(repos: LocalHubRepos, options: LocalHubOptions = {}): Promise<LocalHub> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? "");
    (async () => {
      if (options.intercept && (await options.intercept(req, res))) return;
      await handle(repos, options, req, res);
    })().catch((e: Error) => send(res, 500, { error: e.message }));
  });
  // Bounded: a stuck client cannot hold a test open.
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function commitOf(options: LocalHubOptions, id: string, revision: string): string {
  if (/^[0-9a-f]{40}$/.test(revision)) return revision;
  return options.commits?.[`${id}@${revision}`] ?? createHash("sha1").update(`${id}@${revision}`).digest("hex");
}

async function handle(
  repos: LocalHubRepos,
  options: LocalHubOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, { error: "Method not allowed" });

  // /api/models/<org>/<name>/revision/<rev>: what huggingface_hub's model_info(files_metadata=True) reads
  if (parts[0] === "api" && (parts[1] === "models" || parts[1] === "datasets") && parts.includes("revision")) {
    const at = parts.indexOf("revision");
    const id = (parts[1] === "datasets" ? "datasets/" : "") + parts.slice(2, at).join("/");
    const files = await repoFiles(repos, id);
    if (!files) return send(res, 404, { error: "Repository not found" }, "RepoNotFound");
    const revision = parts.slice(at + 1).join("/");
    const siblings: object[] = [];
    for (const [path, disk] of files) {
      const bytes = await readFile(disk);
      const lfs = LFS.test(path) ? { sha256: sha256(bytes), size: bytes.length, pointerSize: 134 } : undefined;
      siblings.push({ rfilename: path, size: bytes.length, blobId: gitBlobSha(bytes), ...(lfs ? { lfs } : {}) });
    }
    return send(res, 200, { id: parts.slice(2, at).join("/"), sha: commitOf(options, id, revision), siblings });
  }

  // /api/models/<org>/<name>/tree/<rev>[/<path>]
  if (parts[0] === "api" && (parts[1] === "models" || parts[1] === "datasets")) {
    const treeAt = parts.indexOf("tree");
    if (treeAt < 0) return send(res, 404, { error: "Not found" });
    const id = (parts[1] === "datasets" ? "datasets/" : "") + parts.slice(2, treeAt).join("/");
    const files = await repoFiles(repos, id);
    if (!files) return send(res, 404, { error: "Repository not found" }, "RepoNotFound");
    const under = parts.slice(treeAt + 2).join("/");
    const recursive = url.searchParams.get("recursive") === "true";
    const listing: object[] = [];
    const dirs = new Set<string>();
    for (const [path, disk] of files) {
      if (under && !path.startsWith(under + "/")) continue;
      const rest = under ? path.slice(under.length + 1) : path;
      if (!recursive && rest.includes("/")) {
        dirs.add((under ? under + "/" : "") + rest.split("/")[0]);
        continue;
      }
      const bytes = await readFile(disk);
      listing.push({ type: "file", path, size: bytes.length, oid: gitBlobSha(bytes) });
    }
    for (const d of dirs) listing.push({ type: "directory", path: d, size: 0, oid: "0".repeat(40) });
    return send(res, 200, listing);
  }

  // [/datasets]/<org>/<name>/resolve/<rev>/<path>
  const resolveAt = parts.indexOf("resolve");
  if (resolveAt < 0 || resolveAt + 2 >= parts.length) return send(res, 404, { error: "Not found" });
  const id = parts.slice(0, resolveAt).join("/");
  const files = await repoFiles(repos, id);
  if (!files) return send(res, 404, { error: "Repository not found" }, "RepoNotFound");
  const path = parts.slice(resolveAt + 2).join("/");
  const disk = files.get(path);
  if (!disk) return send(res, 404, { error: "Entry not found" }, "EntryNotFound");
  const bytes = await readFile(disk);
  const headers: Record<string, string> = {
    "Content-Type": "application/octet-stream",
    ETag: `"${LFS.test(path) ? sha256(bytes) : gitBlobSha(bytes)}"`,
    ...(LFS.test(path) ? { "X-Linked-Etag": `"${sha256(bytes)}"`, "X-Linked-Size": String(bytes.length) } : {}),
    "X-Repo-Commit": commitOf(options, id, parts[resolveAt + 1]!),
    "Accept-Ranges": "bytes",
  };
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
  if (range) {
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : bytes.length - 1, bytes.length - 1);
    if (start >= bytes.length || end < start) {
      res.writeHead(416, { "Content-Range": `bytes */${bytes.length}` });
      return void res.end();
    }
    res.writeHead(206, {
      ...headers,
      "Content-Range": `bytes ${start}-${end}/${bytes.length}`,
      "Content-Length": String(end - start + 1),
    });
    return void res.end(req.method === "HEAD" ? undefined : bytes.subarray(start, end + 1));
  }
  res.writeHead(200, { ...headers, "Content-Length": String(bytes.length) });
  res.end(req.method === "HEAD" ? undefined : bytes);
}

async function repoFiles(repos: LocalHubRepos, id: string): Promise<Map<string, string> | null> {
  const spec = repos[id];
  if (spec === undefined) return null;
  if (typeof spec !== "string") return new Map(Object.entries(spec));
  const out = new Map<string, string>();
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if ((await stat(full)).isFile()) out.set(relative(spec, full).split(sep).join("/"), full);
    }
  };
  await walk(spec);
  return out;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function gitBlobSha(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

function send(res: ServerResponse, status: number, body: unknown, errorCode?: string): void {
  res.writeHead(status, { "Content-Type": "application/json", ...(errorCode ? { "X-Error-Code": errorCode } : {}) });
  res.end(JSON.stringify(body));
}
