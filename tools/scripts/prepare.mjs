// Builds every package once after `npm ci`, so `npx aflora` runs from dist/ on a fresh clone.
// Skipped when installing as a dependency (no nx) or when AFLORA_SKIP_BUILD is set.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

if (process.env.AFLORA_SKIP_BUILD || !existsSync("nx.json")) process.exit(0);
const r = spawnSync("npx", ["nx", "run-many", "-t", "build", "--parallel=2", "--outputStyle=static"], {
  stdio: "inherit",
});
process.exit(r.status ?? 1);
