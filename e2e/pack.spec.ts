import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { packPackages, publicPackages, type PackedPackage } from "../tools/scripts/pack.mjs";
import { pluginTemplate } from "@aflora/cli/scaffold";
import { onlyRun, readJson, REPO, scratch } from "./helpers.js";
import { copiesOf, run, seededLock, writeJson } from "./pack-project.js";

// The gate of "plugins a stranger can install" (issue 12): every package packed as published,
// installed offline from the npm cache into a project outside the workspace, then used there the
// way the docs say: a pipeline composed in code, and a scaffolded plugin tested and trained with.
// The slowest e2e spec (about 2 minutes on 2 cores): one pack, one install, two short trainings.

const TF_PACKAGE = /^@tensorflow\//;
let project: string;
let packs: PackedPackage[];
let install: ReturnType<typeof run>;

/** The project's package.json and a lock seeded from the workspace's, then `npm install --offline`. */
function installProject(dependencies: Record<string, string>): ReturnType<typeof run> {
  const name = "aflora-outside-project";
  writeJson(join(project, "package.json"), {
    name,
    version: "0.0.0",
    private: true,
    type: "module",
    workspaces: ["plugins/*"],
    dependencies,
  });
  writeJson(join(project, "package-lock.json"), seededLock(project, name, dependencies, packs));
  return run("npm", ["install", "--offline", "--no-audit", "--no-fund"], project, 240_000);
}

beforeAll(() => {
  project = scratch("pack");
  packs = packPackages({ outDir: join(project, "tarballs") });
  const dependencies = Object.fromEntries(packs.map((p) => [p.name, `file:tarballs/${p.tarball.split("/").pop()}`]));
  // The example imports tsyringe itself (for its child container), as a user's project would.
  dependencies["tsyringe"] = "^4.10.0";
  install = installProject(dependencies);
}, 300_000);

describe("the packages as published", () => {
  it("are every public package of the workspace", () => {
    expect(packs.map((p) => p.name).sort()).toEqual(
      publicPackages()
        .map(
          (d) => (JSON.parse(readFileSync(join(REPO, "packages", d, "package.json"), "utf8")) as { name: string }).name,
        )
        .sort(),
    );
  });

  it("hold only dist, README, LICENSE, package.json and declared runtime assets: no maps, no tsbuildinfo, no sources", () => {
    for (const p of packs) {
      const manifest = JSON.parse(
        readFileSync(join(REPO, "packages", p.name.replace("@aflora/", ""), "package.json"), "utf8"),
      ) as { files: string[] };
      const allowed = manifest.files.filter((f) => !f.startsWith("!"));
      for (const f of p.files) {
        expect(allowed.some((a) => f === a || f.startsWith(`${a}/`)) || f === "package.json", `${p.name}: ${f}`).toBe(
          true,
        );
        expect(f, p.name).not.toMatch(/\.map$|\.tsbuildinfo$|^src\//);
      }
      expect(p.files, p.name).toEqual(
        expect.arrayContaining(["LICENSE", "README.md", "package.json", "dist/index.js", "dist/index.d.ts"]),
      );
    }
  });

  it("publish ESM with types, sideEffects, tfjs as peers with tfjs's range, ranges for dependencies, no source condition", () => {
    for (const p of packs) {
      const text = readFileSync(join(project, "node_modules", p.name, "package.json"), "utf8");
      const m = JSON.parse(text) as Record<string, any>;
      expect(text, p.name).not.toContain("@aflora/source");
      expect(m.type, p.name).toBe("module");
      expect(m.exports["."], p.name).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
      expect(m.sideEffects === false || Array.isArray(m.sideEffects), `${p.name} sideEffects`).toBe(true);
      expect(m.license, p.name).toBe("MIT");
      for (const [dep, range] of Object.entries({ ...m.dependencies, ...m.peerDependencies } as Record<
        string,
        string
      >)) {
        expect(range, `${p.name} → ${dep}`).toMatch(/^[\^~>]/);
      }
      for (const dep of Object.keys(m.dependencies ?? {}))
        expect(dep, `${p.name}: TensorFlow.js belongs in peerDependencies`).not.toMatch(TF_PACKAGE);
      for (const [dep, range] of Object.entries((m.peerDependencies ?? {}) as Record<string, string>)) {
        if (TF_PACKAGE.test(dep)) expect(range, `${p.name} → ${dep}`).toBe("^4.22.0");
      }
    }
  });

  it("install offline from the npm cache, with one copy of TensorFlow.js", () => {
    expect(install.status, install.stderr).toBe(0);
    expect(copiesOf(project, "@tensorflow/tfjs-core")).toEqual([join(project, "node_modules/@tensorflow/tfjs-core")]);
  });
});

describe("outside the workspace", () => {
  it("docs/examples/custom-pipeline.mjs composes a run with its own scorer class and trains the demo", () => {
    copyFileSync(join(REPO, "docs/examples/custom-pipeline.mjs"), join(project, "custom-pipeline.mjs"));
    const r = run(process.execPath, ["custom-pipeline.mjs"], project);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^trained 12 steps on wasm; scorer "latest-gradient" saw \d+ steps$/m);
    const froze = /^froze (\d+) of (\d+) trainable projection matrices:$/m.exec(r.stdout);
    expect(froze, r.stdout).not.toBeNull();
    expect(Number(froze![1])).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/^ {2}step \d+: deberta\.encoder\.layer\.\d+\.\S+\.lora_[AB]\.weight$/m);
  });

  it("aflora plugin new scaffolds a plugin whose test passes and that aflora train selects by name", () => {
    const aflora = join(project, "node_modules/.bin/aflora");
    const scaffolded = run(
      aflora,
      ["plugin", "new", "@someone/grad-ema", "--kind", "scorer", "--dir", "plugins/grad-ema"],
      project,
    );
    expect(scaffolded.status, scaffolded.stderr).toBe(0);
    expect(scaffolded.stdout).toContain('Created @someone/grad-ema (a scorer plugin registered as "grad-ema")');
    // Same files as the in-repo generator writes (one template).
    expect(readFileSync(join(project, "plugins/grad-ema/src/grad-ema.ts"), "utf8")).toBe(
      pluginTemplate({ packageName: "@someone/grad-ema", kind: "scorer" })["src/grad-ema.ts"],
    );

    // The project's workspace links it; its dev tools (vitest, typescript) come from the cache too.
    const relinked = installProject(JSON.parse(readFileSync(join(project, "package.json"), "utf8")).dependencies);
    expect(relinked.status, relinked.stderr).toBe(0);
    const tested = run("npm", ["test", "--workspace", "@someone/grad-ema"], project);
    expect(tested.status, tested.stdout + tested.stderr).toBe(0);
    expect(stripVTControlCharacters(tested.stdout)).toMatch(/Tests\s+2 passed \(2\)/);
    const built = run("npm", ["run", "build", "--workspace", "@someone/grad-ema"], project);
    expect(built.status, built.stdout + built.stderr).toBe(0);

    const listed = run(aflora, ["plugins", "--json", "--plugin", "./plugins/grad-ema/dist/index.js"], project);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('"grad-ema"');

    const trained = run(
      aflora,
      [
        "train",
        "--plugin",
        "@someone/grad-ema",
        "--scorer",
        "grad-ema",
        "--set",
        "scorer.beta=0.5",
        "--data",
        "spam-assassin",
        "--set",
        "data.maxExamples=64",
        "--max-steps",
        "2",
        "--quiet",
        "--no-plots",
      ],
      project,
    );
    expect(trained.status, trained.stderr).toBe(0);
    expect(trained.stderr).toBe("");
    const runDir = onlyRun(project);
    expect(readJson(join(runDir, "config.json"))).toMatchObject({ scorer: { name: "grad-ema", beta: 0.5 } });
    expect(readJson(join(runDir, "trainer_state.json")).global_step).toBe(2);
    expect(copiesOf(project, "@tensorflow/tfjs-core")).toHaveLength(1);
  });
});

describe("the in-repo generator", () => {
  it("writes the same template as aflora plugin new, under the user's name", () => {
    mkdirSync(join(project, "gen"), { recursive: true });
    const r = run(
      process.execPath,
      [
        join(REPO, "tools/generators/plugin.mjs"),
        "my-task",
        "--kind",
        "task",
        "--dir",
        join(project, "gen/my-task"),
        "--dry-run",
      ],
      REPO,
    );
    expect(r.status, r.stderr).toBe(0);
    const written = r.stdout
      .trim()
      .split("\n")
      .map((l) => /^would write (\S+) /.exec(l)![1]!.slice(join(project, "gen/my-task").length + 1));
    expect(written.sort()).toEqual(Object.keys(pluginTemplate({ packageName: "my-task", kind: "task" })).sort());
  });
});
