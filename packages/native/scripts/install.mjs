// Builds the addon with node-gyp at `npm ci`. Never fails the install: without a compiler (or with
// any other build failure) it prints one line and exits 0, and aflora runs on the wasm backend.
// `--strict` (npm run build:addon) fails instead, for CI and for debugging a build.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const strict = process.argv.includes("--strict");
const logFile = join(root, "build", "install.log");

if (process.env.AFLORA_NATIVE_SKIP_BUILD === "1") {
  console.log("@aflora/native: build skipped (AFLORA_NATIVE_SKIP_BUILD=1); aflora will run on wasm");
  process.exit(0);
}

// An addon newer than every source is kept: a workspace \`npm install\` re-runs this script, and a
// rebuild (which deletes build/ first) would pull the addon from under a running process.
const addon = join(root, "build", "Release", "aflora_native.node");
const sources = [join(root, "binding.gyp"), ...readdirSync(join(root, "native")).map((f) => join(root, "native", f))];
if (!strict && existsSync(addon) && sources.every((f) => statSync(f).mtimeMs <= statSync(addon).mtimeMs)) {
  console.log("@aflora/native: addon up to date");
  process.exit(0);
}

// npm sets npm_config_node_gyp to its bundled node-gyp; fall back to one on PATH.
const gyp = process.env.npm_config_node_gyp;
const [cmd, pre] = gyp ? [process.execPath, [gyp]] : ["node-gyp", []];
// Local headers (the node binary's own include/node) avoid node-gyp's download of them.
const prefix = dirname(dirname(process.execPath));
const nodedir = existsSync(join(prefix, "include", "node", "node_api.h")) ? [`--nodedir=${prefix}`] : [];
const result = spawnSync(cmd, [...pre, "rebuild", ...nodedir], {
  cwd: root,
  encoding: "utf8",
  shell: !gyp && process.platform === "win32",
});

const ok = result.status === 0 && existsSync(addon);
try {
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, `${result.stdout ?? ""}\n${result.stderr ?? ""}\n${result.error ?? ""}\n`);
} catch {
  // the log is a convenience only
}
if (ok) {
  console.log(
    "@aflora/native: addon built (a CBLAS is loaded at runtime: libopenblas0-pthread, BLIS, MKL or Accelerate)",
  );
} else {
  const why = result.error ? result.error.message : `node-gyp exited with ${result.status}`;
  console.log(`@aflora/native: addon not built (${why}; see ${logFile}); aflora will run on wasm`);
  if (strict) process.exit(1);
}
