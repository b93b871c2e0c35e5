import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scratch } from "../../test/helpers.js";
import { assertRedisServer, freePort, startRedisServer, type RedisServer } from "../testing/redis-server.js";
import { connectRedis, redactUrl, redisOptions } from "./connection.js";

const servers: RedisServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

describe("queue connection", () => {
  it("names the Debian package when redis-server is missing", () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      expect(() => assertRedisServer()).toThrow(
        "redis-server not found: install the Debian package redis-server (apt-get install redis-server)",
      );
    } finally {
      process.env.PATH = path;
    }
  });

  it("redacts the password of a URL, and only the password", () => {
    expect(redactUrl("redis://alice:s3cret@host:6380/2")).toBe("redis://alice:***@host:6380/2");
    expect(redactUrl("rediss://:s3cret@host")).toBe("rediss://:***@host");
    expect(redactUrl("redis://host:6379")).toBe("redis://host:6379");
    expect(redisOptions("redis://alice:p%40ss@h:7000/3")).toMatchObject({
      host: "h",
      port: 7000,
      db: 3,
      username: "alice",
      password: "p@ss",
    });
    expect(redisOptions("rediss://h").tls).toEqual({ servername: "h" });
    expect(() => redisOptions("http://u:pw@h")).toThrow(
      '--queue: expected a redis:// or rediss:// URL (got "http://u:***@h")',
    );
  });

  it("fails with one line naming the redacted URL when nothing listens", async () => {
    const port = await freePort();
    const err = await connectRedis(`redis://:hunter2@127.0.0.1:${port}`).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(
      `cannot use the queue at redis://:***@127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port} (is redis-server running there?)`,
    );
    expect((err as Error).message).not.toContain("hunter2");
  });

  it("authenticates with the URL's password, and says so when it is wrong or missing", async () => {
    const server = await startRedisServer({ password: "pa:ss@word" });
    servers.push(server);
    const redis = await connectRedis(server.url);
    expect(await redis.ping()).toBe("PONG");
    redis.disconnect();
    const wrong = `redis://:nope@127.0.0.1:${server.port}`;
    await expect(connectRedis(wrong)).rejects.toThrow(
      `cannot use the queue at redis://:***@127.0.0.1:${server.port}: wrong user name or password`,
    );
    await expect(connectRedis(`redis://127.0.0.1:${server.port}`)).rejects.toThrow(/the server requires a password/);
  });

  it("speaks TLS for rediss:// with a password, trusting the CA in AFLORA_REDIS_CA", async () => {
    const dir = scratch("tls");
    const cert = join(dir, "cert.pem");
    const key = join(dir, "key.pem");
    try {
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-days",
          "1",
          "-subj",
          "/CN=127.0.0.1",
          "-addext",
          "subjectAltName=IP:127.0.0.1",
          "-keyout",
          key,
          "-out",
          cert,
        ],
        { stdio: "ignore" },
      );
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
      throw new Error(
        missing ? "openssl not found: install the Debian package openssl (apt-get install openssl)" : String(e),
      );
    }
    const server = await startRedisServer({ password: "tls-secret", tls: { cert, key, ca: cert } });
    servers.push(server);
    expect(server.url.startsWith("rediss://")).toBe(true);
    const before = process.env.AFLORA_REDIS_CA;
    process.env.AFLORA_REDIS_CA = cert;
    try {
      const redis = await connectRedis(server.url);
      expect(await redis.ping()).toBe("PONG");
      redis.disconnect();
    } finally {
      if (before === undefined) delete process.env.AFLORA_REDIS_CA;
      else process.env.AFLORA_REDIS_CA = before;
    }
    // Without the CA the self-signed server is refused, in one line.
    await expect(connectRedis(server.url)).rejects.toThrow(
      /^cannot use the queue at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*self.signed/,
    );
  });
});
