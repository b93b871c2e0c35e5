// Provisions what the test suite needs from the system, before `npm test` runs anything:
// a Redis server (sweeps on BullMQ), Chromium (the dashboard's browser tests), protoc (TensorBoard
// event files decoded by TensorFlow's own tool) and an OpenBLAS (the native backend). On Debian or
// Ubuntu, as root, missing ones are installed with apt-get; otherwise the command fails with one line
// naming what to install. It never skips: a test that needs one of these must run.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
const hasOpenBlas = () => {
  if (process.platform === "darwin") return true; // Accelerate ships with macOS
  const r = spawnSync("sh", ["-c", "ldconfig -p 2>/dev/null | grep -q 'libopenblas.so.0'"], { stdio: "ignore" });
  return r.status === 0 || existsSync("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0");
};

/** Debian package → is it there? */
const NEEDS = [
  ["redis-server", () => has("redis-server")],
  [
    "chromium",
    () =>
      has("chromium") ||
      has("chromium-browser") ||
      Boolean(process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)),
  ],
  ["protobuf-compiler", () => has("protoc")],
  ["libopenblas0-pthread", hasOpenBlas],
];

const missing = NEEDS.filter(([, ok]) => !ok()).map(([pkg]) => pkg);
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
if (!isRoot || !has("apt-get")) {
  process.stderr.write(
    `aflora tests need system packages: install ${missing.join(" ")} (Debian/Ubuntu: apt-get install ${missing.join(" ")})\n`,
  );
  process.exit(1);
}
const apt = (args) =>
  execFileSync("apt-get", args, {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
process.stderr.write(`provisioning for the tests: apt-get install ${missing.join(" ")}\n`);
try {
  apt(["install", "-y", "--no-install-recommends", ...missing]);
} catch {
  apt(["update"]);
  apt(["install", "-y", "--no-install-recommends", ...missing]);
}
const still = NEEDS.filter(([pkg, ok]) => missing.includes(pkg) && !ok()).map(([pkg]) => pkg);
if (still.length) {
  process.stderr.write(`aflora tests need system packages: apt-get install ${still.join(" ")} did not provide them\n`);
  process.exit(1);
}
