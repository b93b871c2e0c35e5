import "reflect-metadata";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { z } from "zod";
import { PLUGIN_KINDS } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { createPluginRegistry } from "./integrations/plugins.js";
import { pluginInfos, pluginsMarkdown } from "./commands/plugins.js";

const require = createRequire(import.meta.url);
const registry = createPluginRegistry();
const DOC = new URL("../../../docs/plugins.md", import.meta.url);

function specTexts(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...specTexts(p));
    else if (e.endsWith(".spec.ts")) out.push(readFileSync(p, "utf8"));
  }
  return out;
}

function describedOf(schema: z.ZodType): string | undefined {
  let s: z.ZodType = schema;
  for (;;) {
    if (s.description) return s.description;
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable)
      s = s.unwrap() as z.ZodType;
    else return undefined;
  }
}

// typescript-eslint's rule meta-tests, for plugins: each registered plugin is complete.
describe.each(PLUGIN_KINDS.flatMap((kind) => registry.names(kind).map((name) => [kind, name] as const)))(
  "plugin %s %s",
  (kind, name) => {
    const def = registry.get(kind, name);
    it("has a zod options schema with a description on every option, a description and a package", () => {
      expect(def.options, "options schema").toBeInstanceOf(z.ZodObject);
      for (const [key, s] of Object.entries((def.options as z.ZodObject).shape))
        expect(describedOf(s as z.ZodType), `${name}.${key}`).toBeTruthy();
      expect(def.description.length).toBeGreaterThan(10);
      expect(def.package).toMatch(/^@aflora\//);
    });
    it("is tested in its package and documented in docs/plugins.md", () => {
      const root = dirname(require.resolve(`${def.package}/package.json`));
      const quoted = [`"${name}"`, `'${name}'`, `\`${name}\``, `name: "${name}"`];
      expect(
        specTexts(join(root, "src")).some((t) => quoted.some((q) => t.includes(q))),
        `a spec in ${def.package} names "${name}"`,
      ).toBe(true);
      expect(readFileSync(DOC, "utf8")).toContain(`### \`${name}\``);
    });
  },
);

describe("docs/plugins.md", () => {
  it("is the generated reference of the registered plugins (regenerate: aflora plugins --markdown > docs/plugins.md)", () => {
    expect(existsSync(DOC)).toBe(true);
    expect(readFileSync(DOC, "utf8")).toBe(pluginsMarkdown(pluginInfos(registry)));
  });
});
