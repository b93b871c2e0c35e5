import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SCAFFOLD_KINDS, TEMPLATE_VERSIONS, parsePackageName, pluginTemplate } from "./plugin-template.js";
import { scaffoldPlugin } from "./scaffold-plugin.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("plugin package names", () => {
  it("takes npm names, scoped or not, and gives the registered name", () => {
    expect(parsePackageName("my-scorer")).toEqual({ scope: null, bare: "my-scorer" });
    expect(parsePackageName("@me/aflora-ema")).toEqual({ scope: "me", bare: "aflora-ema" });
  });

  it("refuses the @aflora scope and names npm or the registry would reject, with one clear line", () => {
    expect(() => parsePackageName("@aflora/my-scorer")).toThrow(/the @aflora scope is this project's/);
    expect(() => parsePackageName("My-Scorer")).toThrow(/use an npm package name/);
    expect(() => parsePackageName("9lives")).toThrow(/must start with a letter/);
  });
});

describe("pluginTemplate", () => {
  it.each(SCAFFOLD_KINDS)("fills every placeholder of the %s template", (kind) => {
    const files = pluginTemplate({ packageName: "@me/grad-ema", kind, year: 2030 });
    expect(Object.keys(files).sort()).toEqual([
      ".gitignore",
      "LICENSE",
      "README.md",
      "package.json",
      "src/grad-ema.spec.ts",
      "src/grad-ema.ts",
      "src/index.ts",
      "tsconfig.json",
    ]);
    for (const [path, text] of Object.entries(files)) expect(text, path).not.toMatch(/\{\{\w+\}\}/);
    expect(files["src/index.ts"]).toContain("export function register(registry: PluginRegistry)");
    expect(files["src/grad-ema.ts"]).toContain(`kind: "${kind}",\n  name: "grad-ema",`);
    expect(files["src/grad-ema.ts"]).toContain('package: "@me/grad-ema"');
    expect(files.LICENSE).toContain("Copyright (c) 2030 the @me/grad-ema authors");
  });

  it("writes a package that publishes dist with types, has @aflora/core as a peer, and tests with vitest", () => {
    const pkg = JSON.parse(pluginTemplate({ packageName: "grad-ema", kind: "scorer" })["package.json"]!);
    expect(pkg).toMatchObject({
      name: "grad-ema",
      type: "module",
      exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
      sideEffects: false,
      files: ["dist", "!dist/**/*.spec.*", "README.md", "LICENSE"],
      peerDependencies: { "@aflora/core": "^0.1.0", zod: "^4.0.0" },
      scripts: { test: "vitest run", build: "tsc -p tsconfig.json" },
    });
    expect(pkg.devDependencies["@aflora/core"]).toBe(pkg.peerDependencies["@aflora/core"]);
    expect(JSON.stringify(pkg)).not.toContain("@aflora/source");
  });

  it("pins dev tools to ranges that this workspace's installed versions satisfy (the tests run against them)", () => {
    const req = createRequire(import.meta.url);
    const installed = (name: string) =>
      (JSON.parse(readFileSync(req.resolve(`${name}/package.json`), "utf8")) as { version: string }).version;
    const satisfiesCaret = (range: string, version: string) => {
      const [want, have] = [range.slice(1).split(".").map(Number), version.split(".").map(Number)];
      if (!range.startsWith("^") || want[0] !== have[0]) return false;
      for (let i = 1; i < 3; i++) if (have[i]! !== want[i]!) return have[i]! > want[i]!;
      return true;
    };
    const pairs: [string, string][] = [
      ["vitest", TEMPLATE_VERSIONS.vitest],
      ["typescript", TEMPLATE_VERSIONS.typescript],
      ["zod", TEMPLATE_VERSIONS.zod],
      ["@types/node", TEMPLATE_VERSIONS.typesNode],
      ["@tensorflow/tfjs-core", TEMPLATE_VERSIONS.tfjs],
      ["@aflora/core", TEMPLATE_VERSIONS.aflora],
    ];
    for (const [name, range] of pairs)
      expect(satisfiesCaret(range, installed(name)), `${name} ${installed(name)} vs ${range}`).toBe(true);
  });
});

describe("scaffoldPlugin", () => {
  it("writes the files into a new folder named after the package, and refuses a non-empty one", () => {
    const cwd = mkdtempSync(join(tmpdir(), "aflora-scaffold-"));
    dirs.push(cwd);
    const r = scaffoldPlugin({ packageName: "@me/keyword-task", kind: "task", cwd });
    expect(r.dir).toBe(join(cwd, "keyword-task"));
    expect(readdirSync(join(r.dir, "src")).sort()).toEqual(["index.ts", "keyword-task.spec.ts", "keyword-task.ts"]);
    mkdirSync(join(cwd, "taken"));
    writeFileSync(join(cwd, "taken", "x"), "");
    expect(() => scaffoldPlugin({ packageName: "x", kind: "task", cwd, dir: "taken" })).toThrow(
      /--dir .*taken: the folder exists and is not empty/,
    );
    expect(() => pluginTemplate({ packageName: "x", kind: "metric" as never })).toThrow(
      /--kind "metric": expected one of scorer, schedule, adapter, task, reporter/,
    );
  });
});
