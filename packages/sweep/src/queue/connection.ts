import { existsSync, readFileSync } from "node:fs";
import { Redis, type RedisOptions } from "ioredis";
import { SweepError } from "../errors.js";

/** The queue's name in Redis (one queue; trials of every sweep, told apart by their jobId). */
export const QUEUE_NAME = "aflora-sweep";

/** The URL with its password replaced by `***`: the only form that reaches logs and sweep.json. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString().replace(/\/$/, "");
  } catch {
    return "(unparseable queue URL)";
  }
}

/**
 * ioredis options for a `redis://` or `rediss://` URL (user, password, db). For rediss, the CA
 * bundle in AFLORA_REDIS_CA is trusted besides the system's (a private CA, a self-signed server).
 */
export function redisOptions(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SweepError(
      `--queue: expected redis://[user:password@]host[:port][/db] or rediss://… (got "${redactUrl(url)}")`,
    );
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new SweepError(`--queue: expected a redis:// or rediss:// URL (got "${redactUrl(url)}")`);
  }
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new SweepError(`--queue: ${redactUrl(url)}: the path must be a database number`);
  const ca = process.env.AFLORA_REDIS_CA;
  if (ca && !existsSync(ca)) throw new SweepError(`AFLORA_REDIS_CA: ${ca} not found`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === "rediss:" ? { tls: { servername: u.hostname, ...(ca ? { ca: readFileSync(ca) } : {}) } } : {}),
  };
}

/**
 * Connects to the queue's Redis, failing fast with one line naming the (redacted) URL; after
 * that, the connection reconnects on its own and reports each distinct error once through `onError`.
 * BullMQ needs `maxRetriesPerRequest: null` for its blocking commands.
 */
export async function connectRedis(url: string, onError: (line: string) => void = () => {}): Promise<Redis> {
  const options = redisOptions(url);
  let connected = false;
  const redis = new Redis({
    ...options,
    lazyConnect: true,
    maxRetriesPerRequest: null,
    connectTimeout: 5000,
    retryStrategy: (times) => (connected ? Math.min(times * 500, 5000) : null),
  });
  let lastError = "";
  let firstError: Error | null = null;
  redis.on("error", (e: Error) => {
    firstError ??= e;
    if (!connected || e.message === lastError) return;
    lastError = e.message;
    onError(`queue ${redactUrl(url)}: ${e.message}`);
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    const message = (firstError ?? (e as Error)).message.replace(/^Error: /, "");
    throw new SweepError(`cannot use the queue at ${redactUrl(url)}: ${describe(message)}`);
  }
  connected = true;
  return redis;
}

function describe(message: string): string {
  if (/WRONGPASS|invalid username-password/i.test(message)) return "wrong user name or password";
  if (/NOAUTH/i.test(message)) return "the server requires a password (redis://:PASSWORD@host:port)";
  if (/ECONNREFUSED/.test(message)) return `${message} (is redis-server running there?)`;
  return message;
}
