import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The plugin kinds `aflora plugin new` scaffolds (each has a template under templates/plugin/<kind>). */
export const SCAFFOLD_KINDS = ["scorer", "schedule", "adapter", "task", "reporter"] as const;
export type ScaffoldKind = (typeof SCAFFOLD_KINDS)[number];

const OWN_VERSION = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** Versions the scaffolded package is developed and tested against (ranges, as published). */
export const TEMPLATE_VERSIONS = {
  /** @aflora/core: the release this CLI belongs to (every @aflora package is released with the same version). */
  aflora: `^${OWN_VERSION}`,
  tfjs: "^4.22.0",
  zod: "^4.0.0",
  typescript: "^5.9.3",
  vitest: "^4.1.12",
  typesNode: "^20.19.43",
} as const;

export interface PluginTemplateOptions {
  /** npm package name: `my-scorer` or `@me/aflora-scorer`; the unscoped part is the plugin's registered name. */
  packageName: string;
  kind: ScaffoldKind;
  description?: string;
  /** Year in the LICENSE (default: this year). */
  year?: number;
}

const TEMPLATES = fileURLToPath(new URL("../../templates/plugin/", import.meta.url));
// npm's rules for new package names: lower case, URL-safe, at most 214 characters.
const NPM_NAME = /^(?:@([a-z0-9-~][a-z0-9-._~]*)\/)?([a-z0-9-~][a-z0-9-._~]*)$/;

/** Checks a package name and returns its parts; one clear error per rule. */
export function parsePackageName(name: string): { scope: string | null; bare: string } {
  const m = NPM_NAME.exec(name);
  if (!m || name.length > 214) {
    throw new Error(
      `plugin name "${name}": use an npm package name (lower-case letters, digits, "-", "." or "_", optionally @scope/name)`,
    );
  }
  if (m[1] === "aflora")
    throw new Error(`plugin name "${name}": the @aflora scope is this project's; publish under your own name or scope`);
  const bare = m[2]!;
  if (!/^[a-z][a-z0-9-]*$/.test(bare))
    throw new Error(
      `plugin name "${name}": the part after the scope must start with a letter and use a-z, 0-9 and "-" (it becomes the plugin's registered name)`,
    );
  return { scope: m[1] ?? null, bare };
}

const pascal = (s: string) => s.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());

function read(rel: string): string {
  const path = TEMPLATES + rel;
  if (!existsSync(path)) throw new Error(`aflora plugin templates are incomplete: ${path} is missing`);
  return readFileSync(path, "utf8");
}

function fill(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => vars[key] ?? whole);
}

/** The files of a standalone plugin package (path relative to its folder → text). */
export function pluginTemplate(o: PluginTemplateOptions): Record<string, string> {
  if (!(SCAFFOLD_KINDS as readonly string[]).includes(o.kind))
    throw new Error(`--kind "${o.kind}": expected one of ${SCAFFOLD_KINDS.join(", ")}`);
  const { bare } = parsePackageName(o.packageName);
  const Class = pascal(bare);
  const description = o.description ?? `An aflora ${o.kind} plugin.`;
  const vars: Record<string, string> = {
    name: bare,
    package: o.packageName,
    kind: o.kind,
    Class,
    camel: Class[0]!.toLowerCase() + Class.slice(1),
    description,
    descriptionJson: JSON.stringify(description),
    year: String(o.year ?? new Date().getUTCFullYear()),
  };
  const usage = JSON.parse(read(`${o.kind}/usage.json`)) as { cliFlags: string; configSnippet: string };
  vars.cliFlags = fill(usage.cliFlags, vars);
  vars.configSnippet = fill(usage.configSnippet, vars);
  const v = TEMPLATE_VERSIONS;
  const pkg = {
    name: o.packageName,
    version: "0.1.0",
    description,
    keywords: ["aflora", "aflora-plugin", `aflora-${o.kind}`],
    license: "MIT",
    type: "module",
    main: "./dist/index.js",
    types: "./dist/index.d.ts",
    exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" }, "./package.json": "./package.json" },
    files: ["dist", "!dist/**/*.spec.*", "README.md", "LICENSE"],
    sideEffects: false,
    scripts: { build: "tsc -p tsconfig.json", test: "vitest run", prepack: "npm run build" },
    peerDependencies: { "@aflora/core": v.aflora, zod: v.zod },
    devDependencies: {
      "@aflora/core": v.aflora,
      "@tensorflow/tfjs-backend-cpu": v.tfjs,
      "@tensorflow/tfjs-core": v.tfjs,
      "@types/node": v.typesNode,
      typescript: v.typescript,
      vitest: v.vitest,
      zod: v.zod,
    },
    engines: { node: ">=20" },
  };
  return {
    "package.json": JSON.stringify(pkg, null, 2) + "\n",
    "tsconfig.json": read("common/tsconfig.json.tmpl"),
    ".gitignore": read("common/gitignore.tmpl"),
    LICENSE: fill(read("common/LICENSE.tmpl"), vars),
    "README.md": fill(read("common/README.md.tmpl"), vars),
    "src/index.ts": fill(read("common/index.ts.tmpl"), vars),
    [`src/${bare}.ts`]: fill(read(`${o.kind}/plugin.ts.tmpl`), vars),
    [`src/${bare}.spec.ts`]: fill(read(`${o.kind}/plugin.spec.ts.tmpl`), vars),
  };
}
