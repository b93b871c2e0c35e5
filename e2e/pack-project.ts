import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { PackedPackage } from "../tools/scripts/pack.mjs";
import { REPO } from "./helpers.js";

type LockEntry = Record<string, unknown> & {
  name?: string;
  version?: string;
  integrity?: string;
  resolved?: string;
  link?: boolean;
};

/**
 * A lockfile for a project outside the workspace that depends on the packed tarballs: the
 * workspace's lock with each workspace package replaced by its tarball. `npm ci` fills the npm
 * cache with tarballs only (no registry metadata), so `npm install --offline` can place every
 * registry package from this lock and its cache without asking the registry anything.
 */
export function seededLock(
  projectDir: string,
  name: string,
  dependencies: Record<string, string>,
  packs: PackedPackage[],
): object {
  const workspace = JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const byFolder = new Map<string, LockEntry>();
  for (const [key, e] of Object.entries(workspace.packages))
    if (/^packages\/[^/]+$/.test(key)) byFolder.set(key.slice(9), e);
  const tarballOf = new Map(packs.map((p) => [p.name, `file:${relative(projectDir, p.tarball)}`]));
  const packages: Record<string, LockEntry> = {};
  for (const [key, entry] of Object.entries(workspace.packages)) {
    if (key === "" || entry.link) continue;
    const nested = /^packages\/([^/]+)(\/node_modules\/.+)?$/.exec(key);
    if (nested) {
      const pkgName = byFolder.get(nested[1]!)?.name;
      if (!pkgName || !tarballOf.has(pkgName)) continue;
      if (nested[2]) packages[`node_modules/${pkgName}${nested[2]}`] = withResolved(key, entry);
      else {
        const { devDependencies: _dev, name: _name, ...rest } = entry;
        packages[`node_modules/${pkgName}`] = { ...rest, resolved: tarballOf.get(pkgName)! };
      }
    } else packages[key] = withResolved(key, entry);
  }
  return {
    name,
    version: "0.0.0",
    lockfileVersion: 3,
    requires: true,
    packages: { "": { name, version: "0.0.0", dependencies }, ...packages },
  };
}

/** The workspace lock omits registry URLs; the tarball's URL lets npm find it in the cache by its integrity. */
function withResolved(key: string, entry: LockEntry): LockEntry {
  if (entry.resolved || !entry.integrity || !entry.version) return entry;
  const name = entry.name ?? key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length);
  return { ...entry, resolved: `https://registry.npmjs.org/${name}/-/${name.split("/").pop()}-${entry.version}.tgz` };
}

/** The child environment: no npm_* variables of a surrounding `npm test` (npm reads npm_config_* as config). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.toLowerCase().startsWith("npm_") || k === "npm_config_cache") env[k] = v;
  return { ...env, AFLORA_BACKEND: "wasm", AFLORA_NATIVE_SKIP_BUILD: "1", ...extra };
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], cwd: string, timeoutMs = 180_000): Run {
  const r = spawnSync(cmd, args, {
    cwd,
    env: cleanEnv(),
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr + (r.error ? String(r.error) : "") };
}

/** Every installed copy of a package under `dir` (folders named like it inside any node_modules). */
export function copiesOf(dir: string, pkg: string): string[] {
  const found: string[] = [];
  const walk = (nm: string) => {
    let names: string[];
    try {
      names = readdirSync(nm);
    } catch {
      return;
    }
    for (const n of names) {
      const entries = n.startsWith("@") ? readdirSync(join(nm, n)).map((m) => `${n}/${m}`) : [n];
      for (const e of entries) {
        if (e === pkg) found.push(join(nm, e));
        walk(join(nm, e, "node_modules"));
      }
    }
  };
  walk(join(dir, "node_modules"));
  return found;
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 2) + "\n");
}
