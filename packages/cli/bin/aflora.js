#!/usr/bin/env node
// The aflora command. Runs the compiled CLI in dist/; decorators need reflect-metadata first.
import "reflect-metadata";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const mainJs = fileURLToPath(new URL("../dist/main.js", import.meta.url));
if (!existsSync(mainJs)) {
  process.stderr.write(
    "aflora: the CLI is not built yet (missing packages/cli/dist/main.js).\n" +
      "Build every package once from the repository root:\n\n    npm run build\n\n" +
      "(`npm ci` does this automatically unless AFLORA_SKIP_BUILD is set.)\n",
  );
  process.exit(1);
}
const { main } = await import(mainJs);
process.exitCode = await main(process.argv);
