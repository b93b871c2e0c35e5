import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RedisServer {
  /** redis://[:password@]127.0.0.1:<port> (rediss:// with tls). */
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  password?: string;
  /** Serve TLS only, with this certificate and key (PEM files). */
  tls?: { cert: string; key: string; ca: string };
}

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** Fails with one line naming the Debian package when redis-server is not installed. */
export function assertRedisServer(): void {
  const r = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error("redis-server not found: install the Debian package redis-server (apt-get install redis-server)");
  }
}

/**
 * Starts a real, throw-away redis-server on a free port (no persistence, its own folder) and
 * resolves once it accepts connections; stop() ends it and removes the folder.
 */
export async function startRedisServer(o: RedisServerOptions = {}): Promise<RedisServer> {
  assertRedisServer();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "aflora-redis-"));
  const args = [
    "--port",
    o.tls ? "0" : String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
  ];
  if (o.password) args.push("--requirepass", o.password);
  if (o.tls)
    args.push(
      "--tls-port",
      String(port),
      "--tls-cert-file",
      o.tls.cert,
      "--tls-key-file",
      o.tls.key,
      "--tls-ca-cert-file",
      o.tls.ca,
      "--tls-auth-clients",
      "no",
    );
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((res, rej) => {
    const onData = (b: Buffer) => {
      output += b.toString();
      if (/Ready to accept connections/.test(output)) res();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) =>
      rej(new Error(`redis-server exited (${code}) before it was ready:\n${output.slice(-800)}`)),
    );
    setTimeout(() => rej(new Error(`redis-server did not start in 10 s:\n${output.slice(-800)}`)), 10_000).unref();
  });
  const auth = o.password ? `:${encodeURIComponent(o.password)}@` : "";
  return {
    url: `${o.tls ? "rediss" : "redis"}://${auth}127.0.0.1:${port}`,
    port,
    process: child,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGKILL");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
