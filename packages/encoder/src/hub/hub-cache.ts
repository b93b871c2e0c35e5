import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, lstat, mkdir, readdir, readFile, readlink, realpath, rm, stat, symlink } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { writeFileAtomic } from "@aflora/core";
import {
  isCommitId,
  validateBlobId,
  validateCommit,
  validateRepoPath,
  validateRevision,
} from "./validate-hub-names.js";

/** One file of a repository at a commit, as the Hub lists it. */
export interface RepoFileInfo {
  path: string;
  size: number;
  /** SHA-256 for LFS files, else the git blob SHA-1: the blob's name in the cache and its checksum. */
  blobId: string;
}

/**
 * The cache layout huggingface_hub writes, inside `repoFolder` (`<cache>/models--org--name`):
 * `blobs/<sha>` holds the bytes, `snapshots/<commit>/<path>` is a relative symlink to the blob,
 * and `refs/<revision>` holds the commit a branch or tag pointed to when last resolved.
 */
export class HubCache {
  constructor(readonly repoFolder: string) {}

  snapshotFolder(commit: string): string {
    return join(this.repoFolder, "snapshots", validateCommit(commit));
  }

  blobPath(blobId: string): string {
    return join(this.repoFolder, "blobs", validateBlobId(blobId));
  }

  linkPath(commit: string, path: string): string {
    return join(this.snapshotFolder(commit), ...validateRepoPath(path).split("/"));
  }

  /** The commit a revision resolves to without the network: itself when it is a commit id, else `refs/<revision>`. */
  async commitOf(revision: string): Promise<string | null> {
    if (isCommitId(revision)) return revision;
    try {
      return validateCommit(
        (await readFile(join(this.repoFolder, "refs", ...validateRevision(revision).split("/")), "utf8")).trim(),
      );
    } catch {
      return null;
    }
  }

  async writeRef(revision: string, commit: string): Promise<void> {
    if (isCommitId(revision)) return;
    const ref = join(this.repoFolder, "refs", ...validateRevision(revision).split("/"));
    await mkdir(dirname(ref), { recursive: true });
    await writeFileAtomic(ref, validateCommit(commit));
  }

  /** Files of a cached snapshot, with their blob ids read from the symlinks (null if the snapshot is absent). */
  async snapshotFiles(commit: string): Promise<RepoFileInfo[] | null> {
    const root = this.snapshotFolder(commit);
    const out: RepoFileInfo[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) {
          await walk(full);
          continue;
        }
        const info = await stat(full).catch(() => null);
        if (!info?.isFile()) continue; // a dangling link is a missing file
        const target = entry.isSymbolicLink() ? await readlink(full) : "";
        const name = target.split(/[\\/]/).pop() ?? "";
        out.push({
          path: relative(root, full).split(sep).join("/"),
          size: info.size,
          blobId: /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(name) ? name : "",
        });
      }
    };
    try {
      await walk(root);
    } catch {
      return null;
    }
    return out;
  }

  /**
   * Why the cached file for `file` at `commit` cannot be trusted, or null when it is intact: it
   * must resolve to a regular file inside this repo's blobs and its hash must equal its blob id.
   */
  async problemWith(commit: string, file: RepoFileInfo): Promise<string | null> {
    const link = this.linkPath(commit, file.path);
    let real: string;
    try {
      real = await realpath(link);
    } catch {
      return "missing";
    }
    const blobs = join(await realpath(this.repoFolder), "blobs") + sep;
    const isLink = (await lstat(link)).isSymbolicLink();
    if (isLink && !real.startsWith(blobs)) return `it links outside the cache's blobs folder (to ${real})`;
    const info = await stat(real);
    if (!info.isFile()) return "it is not a regular file";
    if (file.size >= 0 && info.size !== file.size) return `it has ${info.size} bytes, the Hub lists ${file.size}`;
    const id = isLink ? real.slice(blobs.length) : file.blobId;
    if (!id) return null; // a copied (not linked) file of an unknown listing: nothing to check against
    if (file.blobId && id !== file.blobId) return `it is blob ${id}, the Hub lists ${file.blobId}`;
    const actual = await hashFile(real, id.length === 64 ? "sha256" : "git-sha1", info.size);
    return actual === id ? null : `its content hashes to ${actual}, not to ${id} (corrupt or tampered)`;
  }

  /** Points `snapshots/<commit>/<path>` at the blob (a copy where symlinks are not allowed). */
  async link(commit: string, file: RepoFileInfo): Promise<void> {
    const link = this.linkPath(commit, file.path);
    const blob = this.blobPath(file.blobId);
    await mkdir(dirname(link), { recursive: true });
    const target = relative(dirname(link), blob);
    for (let attempt = 0; ; attempt++) {
      await rm(link, { force: true });
      try {
        await symlink(target, link);
        return;
      } catch (e) {
        // Another process linked it between rm and symlink: try again; no symlinks allowed: copy.
        if ((e as NodeJS.ErrnoException).code === "EEXIST" && attempt < 3) continue;
        if ((e as NodeJS.ErrnoException).code === "EEXIST") return;
        await copyFile(blob, link);
        return;
      }
    }
  }

  /** Removes a poisoned entry: the snapshot link and, when it lives in this repo's blobs, the blob it pointed to. */
  async evict(commit: string, file: RepoFileInfo): Promise<void> {
    const link = this.linkPath(commit, file.path);
    const real = await realpath(link).catch(() => null);
    const blobs = join(await realpath(this.repoFolder), "blobs") + sep;
    if (real && real.startsWith(blobs)) await rm(real, { force: true });
    await rm(link, { force: true });
  }
}

/** SHA-256 of the bytes, or git's blob SHA-1 (`blob <size>\0` + bytes), which the Hub reports for non-LFS files. */
export async function hashFile(path: string, kind: "sha256" | "git-sha1", size: number): Promise<string> {
  const hash = createHash(kind === "sha256" ? "sha256" : "sha1");
  if (kind === "git-sha1") hash.update(`blob ${size}\0`);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
