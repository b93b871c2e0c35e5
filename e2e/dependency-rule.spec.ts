import { spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, scratch } from "./helpers.js";

// The dependency rule of `npm run lint` (.dependency-cruiser*.cjs), run on small made-up workspaces:
// each violation must be reported by the rule that names it, and a tree that keeps the rule must pass.

const DEPCRUISE = join(REPO, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");
const PACKAGES = ["core", "scorer", "scheduler", "metrics", "adapter", "cli"];

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
}

/** A workspace with every package linked under node_modules/@aflora, plus `files` (path → source). */
function workspace(files: Record<string, string>): string {
  const root = scratch("deps");
  for (const name of PACKAGES) {
    const dir = join(root, "packages", name);
    mkdirSync(join(dir, "src"), { recursive: true });
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: `@aflora/${name}`,
        type: "module",
        exports: { ".": { "@aflora/source": "./src/index.ts", default: "./dist/index.js" } },
      }),
    );
    writeFileSync(join(dir, "src/index.ts"), "export const name = 1;\n");
    mkdirSync(join(root, "node_modules/@aflora"), { recursive: true });
    symlinkSync(join("..", "..", "packages", name), join(root, "node_modules/@aflora", name), "dir");
  }
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), source);
  }
  return root;
}

function cruise(root: string, config: string): Violation[] {
  const r = spawnSync(
    process.execPath,
    [DEPCRUISE, "packages", "--config", join(REPO, config), "--output-type", "json"],
    { cwd: root, encoding: "utf8" },
  );
  if (!r.stdout) throw new Error(`dependency-cruiser printed nothing: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

const packageRules = (files: Record<string, string>) => cruise(workspace(files), ".dependency-cruiser.cjs");
const folderRules = (files: Record<string, string>) => cruise(workspace(files), ".dependency-cruiser.folders.cjs");
const names = (vs: Violation[]) => [...new Set(vs.filter((v) => v.rule.severity === "error").map((v) => v.rule.name))];

describe("the dependency rule", () => {
  it("passes plugins that import core, and a cli that imports everything", () => {
    const vs = packageRules({
      "packages/scorer/src/a.ts": 'import { name } from "@aflora/core";\nexport const a = name;\n',
      "packages/scheduler/src/a.ts": 'import { name } from "@aflora/core";\nexport const a = name;\n',
      "packages/cli/src/a.ts": PACKAGES.filter((p) => p !== "cli")
        .map((p, i) => `import { name as n${i} } from "@aflora/${p}";\nexport const a${i} = n${i};\n`)
        .join(""),
      // A test may use the other package as a devDependency.
      "packages/scheduler/src/a.spec.ts": 'import { name } from "@aflora/scorer";\nexport const b = name;\n',
    });
    expect(names(vs)).toEqual([]);
  });

  it("fails when the scorer imports the scheduler, or the scheduler's shipped code imports the scorer", () => {
    const vs = packageRules({
      "packages/scorer/src/a.ts": 'import { name } from "@aflora/scheduler";\nexport const a = name;\n',
      "packages/scheduler/src/repro/b.ts": 'import { name } from "@aflora/scorer";\nexport const b = name;\n',
    });
    expect(names(vs).sort()).toEqual(["scheduler-not-scorer", "scorer-not-scheduler"]);
    expect(vs.find((v) => v.rule.name === "scorer-not-scheduler")?.from).toBe("packages/scorer/src/a.ts");
  });

  it("fails when core imports a plugin package", () => {
    const vs = packageRules({
      "packages/core/src/a.ts": 'import { name } from "@aflora/metrics";\nexport const a = name;\n',
    });
    expect(names(vs)).toEqual(["core-imports-no-plugin"]);
  });

  it("fails when a package imports the cli", () => {
    const vs = packageRules({
      "packages/metrics/src/a.ts": 'import { name } from "@aflora/cli";\nexport const a = name;\n',
    });
    expect(names(vs)).toEqual(["nothing-imports-cli"]);
  });

  it("fails when a package reaches into another package's files by a relative path, tests included", () => {
    const vs = packageRules({
      "packages/cli/src/a.ts": 'import { name } from "../../metrics/src/index.js";\nexport const a = name;\n',
      "packages/adapter/src/b.spec.ts": 'import { name } from "../../core/src/index.js";\nexport const b = name;\n',
    });
    expect(names(vs)).toEqual(["no-reaching-into-another-package"]);
    expect(vs.map((v) => v.from).sort()).toEqual(["packages/adapter/src/b.spec.ts", "packages/cli/src/a.ts"]);
  });

  it("fails on a folder cycle inside a package's src, and not on a spec that imports the whole", () => {
    const cyclic = folderRules({
      "packages/metrics/src/report/r.ts": 'import { p } from "../plots/p.js";\nexport const r = p;\n',
      "packages/metrics/src/plots/p.ts": 'import type { R } from "../report/t.js";\nexport const p: R = 1;\n',
      "packages/metrics/src/report/t.ts": "export type R = number;\n",
    });
    expect(names(cyclic)).toEqual(["no-folder-cycles"]);
    const acyclic = folderRules({
      "packages/metrics/src/plots/p.ts": 'import type { R } from "../report/t.js";\nexport const p: R = 1;\n',
      "packages/metrics/src/report/t.ts": "export type R = number;\n",
      "packages/metrics/src/report/t.spec.ts": 'import { p } from "../plots/p.js";\nexport const s = p;\n',
    });
    expect(names(acyclic)).toEqual([]);
  });
});
