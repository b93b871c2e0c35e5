import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Vitest global setup: every test process gets a private TMPDIR, removed when the run ends, so
 * the folders tests make with `mkdtemp(os.tmpdir())` never pile up in the machine's /tmp.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), "aflora-tests-"));
  process.env["TMPDIR"] = root;
  return () => rmSync(root, { recursive: true, force: true });
}
