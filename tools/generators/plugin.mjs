#!/usr/bin/env node
// Scaffolds a plugin package inside this workspace with the same template as `aflora plugin new`
// (packages/cli/templates/plugin): a standalone package under the name you choose (not the @aflora
// scope) whose entry exports register(registry), with @aflora/core as a peer dependency.
//   node tools/generators/plugin.mjs <name> --kind scorer|schedule|adapter|task|reporter
//        [--dir <folder, default packages/<name without scope>>] [--description "..."] [--dry-run]
// then: npm install (links it into the workspace) and npm test -w <name>.
// Needs packages/cli built (npm ci builds every package).
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SCAFFOLD_KINDS, parsePackageName, pluginTemplate, scaffoldPlugin } from "@aflora/cli/scaffold";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export function parseArgs(argv) {
  const out = { name: null, kind: null, dir: null, description: undefined, dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--dry-run") out.dryRun = true;
    else if (a === "--kind") out.kind = argv[++i];
    else if (a === "--dir") out.dir = argv[++i];
    else if (a === "--description") out.description = argv[++i];
    else if (a.startsWith("--"))
      throw new Error(`unknown option ${a} (known: --kind, --dir, --description, --dry-run)`);
    else if (out.name === null) out.name = a;
    else throw new Error(`unexpected argument "${a}"`);
  }
  if (!out.name || !out.kind)
    throw new Error(
      `usage: node tools/generators/plugin.mjs <name> --kind ${SCAFFOLD_KINDS.join("|")} [--dir D] [--description "..."] [--dry-run]`,
    );
  return out;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const dir = resolve(args.dir ?? join(ROOT, "packages", parsePackageName(args.name).bare));
  const options = {
    packageName: args.name,
    kind: args.kind,
    ...(args.description ? { description: args.description } : {}),
  };
  if (args.dryRun) {
    for (const [rel, text] of Object.entries(pluginTemplate(options)))
      console.log(`would write ${join(dir, rel)} (${text.length} bytes)`);
    return;
  }
  const r = scaffoldPlugin({ ...options, dir });
  for (const f of r.files) console.log(`wrote ${join(r.dir, f)}`);
  console.log(`\nNext: npm install (links ${args.name} into the workspace), then npm test -w ${args.name}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    console.error(`plugin generator: ${e.message}`);
    process.exit(1);
  }
}
