#!/usr/bin/env node
// Packs every public package of the workspace as it is published: `npm pack` of a staged copy that
// holds only the package's `files`, with the workspace-only "@aflora/source" export condition removed
// and without source maps (the sources they point to are not published).
//   node tools/scripts/pack.mjs [--out <dir>] [package-folder-name...]
// Releasing: build (npm run build), pack, then `npm publish <tarball>` for each tarball printed.
// npm's publishConfig cannot override "exports", so the condition is stripped here rather than in
// the workspace's package.json files, which the workspace's TypeScript and Vitest need as they are.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SOURCE_CONDITION = "@aflora/source";

/** An `exports` value without the workspace's source condition (recursively, for nested conditions). */
export function stripSourceCondition(exportsField) {
  if (exportsField === null || typeof exportsField !== "object" || Array.isArray(exportsField)) return exportsField;
  const out = {};
  for (const [k, v] of Object.entries(exportsField)) if (k !== SOURCE_CONDITION) out[k] = stripSourceCondition(v);
  return out;
}

/** The manifest as published: no source condition, no workspace-only Nx settings. */
export function publishedManifest(pkg) {
  const out = { ...pkg };
  if (out.exports) out.exports = stripSourceCondition(out.exports);
  delete out.nx;
  return out;
}

const isExcluded = (name) => name.endsWith(".map") || name.endsWith(".tsbuildinfo");
const MAP_COMMENT = /\n?\/\/# sourceMappingURL=\S+\s*$/;

function copyFiltered(from, to) {
  const st = statSync(from);
  if (st.isDirectory()) {
    if (basename(from) === "node_modules") return;
    mkdirSync(to, { recursive: true });
    for (const e of readdirSync(from)) copyFiltered(join(from, e), join(to, e));
    return;
  }
  if (isExcluded(from)) return;
  if (/\.(m?js|d\.m?ts)$/.test(from)) {
    const text = readFileSync(from, "utf8");
    writeFileSync(to, text.replace(MAP_COMMENT, "\n"));
    return;
  }
  cpSync(from, to);
}

/** The folders under packages/ whose package.json is not private. */
export function publicPackages(root = ROOT) {
  return readdirSync(join(root, "packages"))
    .filter((d) => existsSync(join(root, "packages", d, "package.json")))
    .filter((d) => !JSON.parse(readFileSync(join(root, "packages", d, "package.json"), "utf8")).private)
    .sort();
}

/**
 * Stages and packs the given packages (default: every public one) into `outDir`.
 * Returns one entry per package: its name, version and tarball path.
 */
export function packPackages({ outDir, packages = publicPackages(), root = ROOT } = {}) {
  mkdirSync(outDir, { recursive: true });
  const stageRoot = mkdtempSync(join(tmpdir(), "aflora-pack-"));
  try {
    const staged = packages.map((dir) => {
      const src = join(root, "packages", dir);
      const pkg = JSON.parse(readFileSync(join(src, "package.json"), "utf8"));
      if (!existsSync(join(src, "dist"))) throw new Error(`${pkg.name}: no dist/ (run npm run build first)`);
      const stage = join(stageRoot, dir);
      mkdirSync(stage, { recursive: true });
      for (const entry of pkg.files ?? []) {
        if (entry.startsWith("!")) continue;
        if (/[*?[]/.test(entry))
          throw new Error(`${pkg.name}: files entry "${entry}": use folder or file names (globs are not staged)`);
        if (existsSync(join(src, entry))) copyFiltered(join(src, entry), join(stage, entry));
      }
      for (const f of ["README.md", "LICENSE"]) {
        if (!existsSync(join(src, f))) throw new Error(`${pkg.name}: ${f} is missing`);
        cpSync(join(src, f), join(stage, f));
      }
      writeFileSync(join(stage, "package.json"), JSON.stringify(publishedManifest(pkg), null, 2) + "\n");
      return { dir, stage, name: pkg.name, version: pkg.version };
    });
    const r = spawnSync(
      "npm",
      ["pack", "--json", "--ignore-scripts", "--pack-destination", outDir, ...staged.map((s) => s.stage)],
      {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    if (r.status !== 0) throw new Error(`npm pack failed (${r.status}): ${r.stderr}`);
    const results = JSON.parse(r.stdout);
    return staged.map((s, i) => ({
      name: s.name,
      version: s.version,
      tarball: join(outDir, results[i].filename),
      files: results[i].files.map((f) => f.path),
    }));
  } finally {
    rmSync(stageRoot, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--out");
  const outDir = resolve(at >= 0 ? args.splice(at, 2)[1] : "dist-pack");
  try {
    for (const p of packPackages({ outDir, ...(args.length ? { packages: args } : {}) })) console.log(p.tarball);
  } catch (e) {
    console.error(`pack: ${e.message}`);
    process.exit(1);
  }
}
