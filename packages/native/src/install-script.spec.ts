// `npm ci` must succeed without a compiler: the install script prints one line and exits 0.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = mkdtempSync(join(tmpdir(), "aflora-native-install-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the package's build inputs (never the real build/, which other tests load). */
function copy(): string {
  const pkg = join(dir, `pkg-${Math.random().toString(36).slice(2)}`);
  for (const p of ["binding.gyp", "native", "scripts", "package.json"])
    cpSync(join(root, p), join(pkg, p), { recursive: true });
  cpSync(join(root, "..", "..", "node_modules", "node-addon-api"), join(pkg, "node_modules", "node-addon-api"), {
    recursive: true,
  });
  return pkg;
}

function install(pkg: string, args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [join(pkg, "scripts", "install.mjs"), ...args], {
    cwd: pkg,
    encoding: "utf8",
    env: { ...process.env, ...env, npm_config_node_gyp: "" },
    timeout: 120_000,
  });
}

describe("scripts/install.mjs", () => {
  it("without a working compiler exits 0 and prints one line saying aflora will run on wasm", () => {
    const r = install(copy(), [], { CXX: "/nonexistent/c++", CC: "/nonexistent/cc" });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^@aflora\/native: addon not built \(.*\); aflora will run on wasm$/);
  });

  it("with --strict fails instead, and AFLORA_NATIVE_SKIP_BUILD=1 skips the build", () => {
    expect(install(copy(), ["--strict"], { CXX: "/nonexistent/c++", CC: "/nonexistent/cc" }).status).toBe(1);
    const skipped = install(copy(), [], { AFLORA_NATIVE_SKIP_BUILD: "1" });
    expect(skipped.status).toBe(0);
    expect(skipped.stdout.trim()).toBe(
      "@aflora/native: build skipped (AFLORA_NATIVE_SKIP_BUILD=1); aflora will run on wasm",
    );
  });
});
