import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";

/**
 * The real path of `requested` (a URL path, still percent-encoded, or a run id) inside `root`,
 * or null when it is not strictly inside: `..` or `.` segments (also percent-encoded), NUL bytes,
 * backslashes, absolute paths and symlinks that lead outside are all refused the same way.
 */
export function resolveUnder(root: string, requested: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requested);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\") || isAbsolute(decoded)) return null;
  const segments = decoded.split("/").filter((s) => s.length > 0);
  if (segments.some((s) => s === ".." || s === ".")) return null;
  let realRoot: string;
  let real: string;
  try {
    realRoot = realpathSync(root);
    real = realpathSync(resolve(realRoot, ...segments));
  } catch {
    return null;
  }
  const rel = relative(realRoot, real);
  if (rel === "") return real;
  if (rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel)) return null;
  return real;
}
