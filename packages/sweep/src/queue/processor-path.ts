import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The sandboxed processor BullMQ forks for each job: the compiled `sandbox-processor.js` beside
 * this file, or, when this file runs from src/ (tests), the package's build of it.
 */
export function processorPath(): string {
  const sibling = fileURLToPath(new URL("./sandbox-processor.js", import.meta.url));
  if (existsSync(sibling)) return sibling;
  const built = fileURLToPath(new URL("../../dist/queue/sandbox-processor.js", import.meta.url));
  if (existsSync(built)) return built;
  throw new Error(`${built} not found: build @aflora/sweep first (npx nx run @aflora/sweep:build)`);
}
