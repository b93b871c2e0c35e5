#!/usr/bin/env node
// Scaffolds a new aflora plugin package: packages/<name>/ with package.json (exports with the
// @aflora/source condition), tsconfigs, vitest config, README, a TrainerPlugin with its
// registration function, and a test that drives it with events.
//   node tools/generators/plugin.mjs <name> [--description "..."] [--root <workspace>] [--dry-run]
// then: npm install (links the workspace package) and npx nx run @aflora/<name>:test
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

function parseArgs(argv) {
  const out = { name: null, description: null, root: resolve(dirname(fileURLToPath(import.meta.url)), "../.."), dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--dry-run") out.dryRun = true;
    else if (a === "--description") out.description = argv[++i];
    else if (a === "--root") out.root = resolve(argv[++i]);
    else if (a.startsWith("--")) throw new Error(`unknown option ${a} (known: --description, --root, --dry-run)`);
    else if (out.name === null) out.name = a;
    else throw new Error(`unexpected argument "${a}"`);
  }
  if (!out.name) throw new Error("usage: node tools/generators/plugin.mjs <name> [--description \"...\"] [--root <workspace>] [--dry-run]");
  if (!/^[a-z][a-z0-9-]*$/.test(out.name)) throw new Error(`name "${out.name}": use lower-case letters, digits and dashes, starting with a letter`);
  return out;
}

const pascal = (s) => s.replace(/(^|-)([a-z0-9])/g, (_, __, c) => c.toUpperCase());

export function pluginFiles(name, description, coreVersion) {
  const cls = pascal(name);
  const pkg = {
    name: `@aflora/${name}`,
    version: "0.1.0",
    description,
    license: "MIT",
    type: "module",
    main: "./dist/index.js",
    types: "./dist/index.d.ts",
    exports: { ".": { "@aflora/source": "./src/index.ts", types: "./dist/index.d.ts", default: "./dist/index.js" }, "./package.json": "./package.json" },
    files: ["dist", "README.md"],
    scripts: { build: "tsc -b tsconfig.lib.json", typecheck: "tsc -p tsconfig.spec.json --noEmit", test: "vitest run" },
    dependencies: { "@aflora/core": coreVersion, rxjs: "7.8.2" },
    devDependencies: { tsyringe: "4.10.0" },
    publishConfig: { access: "public" },
    nx: { tags: ["scope:plugin"] },
  };
  const lib = {
    extends: "../../tsconfig.base.json",
    compilerOptions: { rootDir: "src", outDir: "dist", tsBuildInfoFile: "dist/tsconfig.lib.tsbuildinfo" },
    include: ["src/**/*.ts"],
    exclude: ["src/**/*.spec.ts", "src/**/*.test.ts"],
    references: [{ path: "../core/tsconfig.lib.json" }],
  };
  const spec = {
    extends: "../../tsconfig.base.json",
    compilerOptions: { noEmit: true, composite: false, declaration: false, declarationMap: false, customConditions: ["@aflora/source"] },
    include: ["src/**/*.ts", "test/**/*.ts"],
  };
  const json = (o) => JSON.stringify(o, null, 2) + "\n";
  return {
    "package.json": json(pkg),
    "tsconfig.lib.json": json(lib),
    "tsconfig.spec.json": json(spec),
    "vitest.config.ts": `import { sharedConfig } from "../../vitest.shared.ts";\n\nexport default sharedConfig;\n`,
    "README.md": `# @aflora/${name}

${description}

An aflora trainer plugin. It subscribes to the Trainer's events (see docs/architecture.md for
their order) and is selected by name from a run config:

\`\`\`json
{ "plugins": [{ "name": "${name}", "every": 10 }] }
\`\`\`

## API

- \`${cls}\` — the plugin (\`attach(ctx)\` subscribes to \`step:end\`; its state survives a resume).
- \`register${cls}(registry)\` — registers it as plugin kind "plugin", name "${name}".

## Example

\`\`\`ts
import { PluginRegistry, Trainer } from "@aflora/core";
import { register${cls} } from "@aflora/${name}";

const registry = new PluginRegistry();
register${cls}(registry);
const plugin = registry.create("plugin", { name: "${name}", every: 10 }, runContainer, "plugins[0]");
await new Trainer({ ...options, container: runContainer, plugins: [plugin] }).run();
\`\`\`
`,
    "src/index.ts": `export * from "./${name}.js";\n`,
    [`src/${name}.ts`]: `import type { Json, PluginContext, PluginRegistry, Stateful, StepEndEvent, TrainerEvent, TrainerPlugin } from "@aflora/core";
import { filter } from "rxjs";

export interface ${cls}Options {
  /** Act every N optimizer steps. */
  every: number;
}

/** ${description} */
export class ${cls} implements TrainerPlugin, Stateful {
  readonly name = "${name}";
  readonly stateKey = "${name}";
  /** Steps seen so far (state that survives a resume). */
  seen = 0;

  constructor(readonly options: ${cls}Options) {}

  attach(ctx: PluginContext): () => void {
    const sub = ctx.events
      .pipe(filter((e: TrainerEvent): e is StepEndEvent => e.type === "step:end"))
      .subscribe((e) => {
        this.seen += 1;
        if ((e.step + 1) % this.options.every === 0) {
          // React here: read e.loss / e.trainable, call ctx.params.freeze(...) or ctx.control.requestStop(...).
        }
      });
    return () => sub.unsubscribe();
  }

  saveState(): { json: Json } {
    return { json: { seen: this.seen } };
  }

  loadState(state: { json: Json }): void {
    const seen = (state.json as { seen?: unknown })?.seen;
    if (typeof seen !== "number") throw new Error(\`${name} state: expected { seen: number }, got \${JSON.stringify(state.json)}\`);
    this.seen = seen;
  }
}

export function register${cls}(registry: PluginRegistry): void {
  registry.register<${cls}, ${cls}Options>({
    kind: "plugin",
    name: "${name}",
    description: ${JSON.stringify(description)},
    package: "@aflora/${name}",
    parse: (o) => {
      const unknown = Object.keys(o).find((k) => k !== "every");
      if (unknown) throw new Error(\`unknown option "\${unknown}" (known: every)\`);
      const every = o.every ?? 1;
      if (!Number.isInteger(every) || (every as number) < 1) throw new Error(\`every: expected a positive integer, got \${JSON.stringify(o.every)}\`);
      return { every: every as number };
    },
    create: (o) => new ${cls}(o),
  });
}
`,
    [`src/${name}.spec.ts`]: `import { createRunContainer, ParameterRegistry, PluginRegistry, RunTokens, type RunInfo } from "@aflora/core";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";
import { ${cls}, register${cls} } from "./${name}.js";

const runInfo: RunInfo = { runId: "t", totalSteps: 4, stepsPerEpoch: 2, epochs: 2, seed: 1, outputDir: null };
const counts = { total: 0, trainable: 0, trainableWithoutHead: 0, byGroup: {} };

describe("${name}", () => {
  it("is built by name, counts step:end events and round-trips its state", () => {
    const plugins = new PluginRegistry();
    register${cls}(plugins);
    const params = new ParameterRegistry();
    const run = createRunContainer(container, { registry: params, runInfo, plugins });
    const plugin = plugins.create<${cls}>("plugin", { name: "${name}", every: 2 }, run, "plugins[0]");
    const bus = run.resolve(RunTokens.EventBus);
    const detach = plugin.attach({ events: bus.events, params, control: run.resolve(RunTokens.RunControl), run: runInfo });
    for (let step = 0; step < 3; step++) bus.emit({ type: "step:end", step, epoch: 0, loss: 1, learningRates: {}, gradNorm: 0, trainable: counts });
    detach();
    expect(plugin.seen).toBe(3);
    const restored = new ${cls}({ every: 2 });
    restored.loadState({ json: plugin.saveState().json });
    expect(restored.seen).toBe(3);
    expect(() => plugins.create("plugin", { name: "${name}", every: 0 }, run, "plugins[0]")).toThrow(/every: expected a positive integer/);
  });
});
`,
  };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const dir = join(args.root, "packages", args.name);
  if (existsSync(dir)) throw new Error(`${dir} already exists`);
  const corePkg = join(args.root, "packages", "core", "package.json");
  const coreVersion = existsSync(corePkg) ? JSON.parse(readFileSync(corePkg, "utf8")).version : "0.1.0";
  const files = pluginFiles(args.name, args.description ?? `An aflora trainer plugin (${args.name}).`, coreVersion);
  for (const [rel, text] of Object.entries(files)) {
    const path = join(dir, rel);
    if (args.dryRun) {
      console.log(`would write ${path} (${text.length} bytes)`);
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
  if (!args.dryRun) console.log(`\nNext: npm install (links @aflora/${args.name}), then npx nx run @aflora/${args.name}:test`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    console.error(`plugin generator: ${e.message}`);
    process.exit(1);
  }
}
