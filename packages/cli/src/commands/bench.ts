import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The benchmark entry point of the workspace (tools/bench), relative to packages/cli/dist/commands. */
const BENCH = fileURLToPath(new URL("../../../../tools/bench/bench.mjs", import.meta.url));

/** `aflora bench`: runs tools/bench (step time and FLOPs per method) in this process's Node. */
export function benchCommand(args: string[]): void {
  if (!existsSync(BENCH))
    throw new Error(`bench: ${BENCH} not found; \`aflora bench\` runs from a clone of the aflora repository`);
  const r = spawnSync(process.execPath, [BENCH, ...args], { stdio: "inherit" });
  if (r.error) throw r.error;
  process.exitCode = r.status ?? 1;
}
