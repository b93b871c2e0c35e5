import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPluginRegistry } from "../integrations/plugins.js";
import { resolveConfig as resolveConfigWithImports } from "./resolve-config.js";

const dir = mkdtempSync(join(tmpdir(), "aflora-imports-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("imports", () => {
  it("loads a plugin module relative to the config file before validating, so its names are known", async () => {
    writeFileSync(
      join(dir, "my-scorer.mjs"),
      `export function register(registry) {
         registry.register({ kind: "scorer", name: "my-scorer", description: "test", parse: (o) => { if (o.alpha !== undefined && typeof o.alpha !== "number") throw new Error("alpha: expected a number"); return o; }, create: () => ({}) });
         registry.register({ kind: "adapter", name: "my-method", description: "test", uses: ["scorer"], parse: (o) => o, create: () => ({}) });
       }\n`,
    );
    writeFileSync(
      join(dir, "exp.yaml"),
      "preset: demo\nimports: [./my-scorer.mjs]\nadapter: { name: my-method }\nscorer: { name: my-scorer, alpha: 2 }\n",
    );
    const c = await resolveConfigWithImports({ config: join(dir, "exp.yaml") }, createPluginRegistry());
    expect(c.scorer).toEqual({ name: "my-scorer", alpha: 2 });
    expect(c.imports).toEqual([join(dir, "my-scorer.mjs")]);
    writeFileSync(
      join(dir, "bad.yaml"),
      "preset: demo\nimports: [./my-scorer.mjs]\nadapter: { name: my-method }\nscorer: { name: my-scorer, alpha: high }\n",
    );
    await expect(resolveConfigWithImports({ config: join(dir, "bad.yaml") }, createPluginRegistry())).rejects.toThrow(
      `${join(dir, "bad.yaml")}: scorer.alpha: expected a number`,
    );
  });

  it("names the config file and the entry when a module cannot be found", async () => {
    writeFileSync(join(dir, "missing.yaml"), "preset: demo\nimports: [aflora-plugin-that-does-not-exist]\n");
    await expect(
      resolveConfigWithImports({ config: join(dir, "missing.yaml") }, createPluginRegistry()),
    ).rejects.toThrow(`${join(dir, "missing.yaml")}: imports[0]: cannot find "aflora-plugin-that-does-not-exist"`);
  });
});
