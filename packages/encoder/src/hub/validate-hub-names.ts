/**
 * Every name that becomes part of a cache path (repo id, revision, file path, commit, blob id)
 * is checked here, whether it came from the user's config or from the server, so nothing can
 * be written outside the cache folder: no `..`, no absolute or drive paths, no backslashes,
 * no percent-encoded separators or dots, no control characters.
 */
export class HubNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HubNameError";
  }
}

const ENCODED = /%(2e|2f|5c|00)/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function refuse(what: string, value: string, why: string): never {
  throw new HubNameError(`${what} ${JSON.stringify(value)} ${why}`);
}

export function validateRepoName(name: string, what = "repository id"): string {
  if (typeof name !== "string" || !/^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/.test(name)) {
    refuse(what, String(name), `is not a Hub id ("name" or "org/name" of letters, digits, "-", "_", ".")`);
  }
  if (name.includes("..") || name.includes("--"))
    refuse(what, name, `contains ".." or "--", which the Hub does not allow`);
  if (name.length > 193) refuse(what, name, "is longer than the Hub allows");
  return name;
}

/** A branch, tag, commit or `refs/pr/N`: git ref rules, which also keep `refs/<revision>` inside the cache. */
export function validateRevision(revision: string, what = "revision"): string {
  if (typeof revision !== "string" || revision.length === 0 || revision.length > 255)
    refuse(what, String(revision), "is empty or too long");
  if (CONTROL.test(revision) || ENCODED.test(revision))
    refuse(what, revision, "contains control characters or percent-encoded separators");
  if (!/^[\w.\-/]+$/.test(revision)) refuse(what, revision, `may hold only letters, digits and "_", "-", ".", "/"`);
  const parts = revision.split("/");
  if (parts.some((p) => p === "" || p === "." || p === ".." || p.startsWith(".") || p.endsWith(".lock"))) {
    refuse(what, revision, `is not a valid git ref (empty, ".", ".." or hidden path parts)`);
  }
  if (revision.startsWith("-")) refuse(what, revision, `starts with "-"`);
  return revision;
}

/** A repo-relative file path, `/`-separated. */
export function validateRepoPath(path: string, what = "file path"): string {
  if (typeof path !== "string" || path.length === 0 || path.length > 1024)
    refuse(what, String(path), "is empty or too long");
  if (CONTROL.test(path) || ENCODED.test(path))
    refuse(what, path, "contains control characters or percent-encoded separators");
  if (path.includes("\\")) refuse(what, path, "contains a backslash");
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) refuse(what, path, "is an absolute path");
  if (path.split("/").some((p) => p === "" || p === "." || p === ".."))
    refuse(what, path, `has an empty, "." or ".." part`);
  return path;
}

/** A git commit id as the Hub reports it. */
export function validateCommit(commit: unknown, what = "commit"): string {
  if (typeof commit !== "string" || !/^[0-9a-f]{40}$/.test(commit))
    refuse(what, String(commit), "is not a 40-digit hexadecimal commit id");
  return commit;
}

/** A blob id: git SHA-1 (40 hex) for regular files, SHA-256 (64 hex) for LFS files. */
export function validateBlobId(id: unknown, what = "blob id"): string {
  if (typeof id !== "string" || !/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(id))
    refuse(what, String(id), "is not a SHA-1 or SHA-256 in hexadecimal");
  return id;
}

export function isCommitId(s: string): boolean {
  return /^[0-9a-f]{40}$/.test(s);
}
