import { createReadStream, existsSync, statSync, watch, type FSWatcher } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { hostHeaderAllowed, isLoopback, newAccessToken, requestToken, TOKEN_COOKIE, tokensEqual } from "./access.js";
import { assetFiles, contentType } from "./assets.js";
import { RunIndex } from "./run-index.js";
import { resolveUnder } from "./safe-path.js";
import { compareView, runView } from "./views.js";

export interface DashboardOptions {
  /** The folder whose runs (folders with events.jsonl) and sweeps (folders with sweep.json) are shown. */
  runsDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Interface to bind; anything but loopback requires an access token. */
  host?: string;
  /** The access token; a random one is made when the host is not loopback and none is given. */
  token?: string;
}

export interface Dashboard {
  /** The page's address, with `?token=` when a token is required. */
  url: string;
  port: number;
  /** The access token every request must carry, or null (loopback without a token). */
  token: string | null;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 6060;
const MAX_COMPARE = 8;

const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  // Vega compiles its expressions with Function(), hence 'unsafe-eval'; scripts come only from here.
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
};
// Files from run folders are shown, never run: an SVG's scripts stay inert.
const FILE_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

/** Starts the dashboard's HTTP server (read-only: GET and HEAD only). */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? (isLoopback(host) ? null : newAccessToken());
  const index = new RunIndex(options.runsDir);
  // A missing runs folder is an error now, not a blank page later.
  if (!existsSync(index.root) || !statSync(index.root).isDirectory())
    throw new Error(`dashboard: ${index.root}: no such runs folder`);
  const assets = assetFiles();
  const streams = new Set<() => void>();

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", `internal error: ${(e as Error).message}`);
      else res.destroy();
    }
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://dashboard.invalid");
    if (!hostHeaderAllowed(req, host)) return send(res, 403, "text/plain; charset=utf-8", "forbidden host\n");
    if (token !== null) {
      const given = requestToken(req, url);
      if (!given.token || !tokensEqual(given.token, token))
        return send(res, 401, "text/plain; charset=utf-8", "access token required\n");
      if (given.fromQuery) res.setHeader("Set-Cookie", `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return send(res, 405, "text/plain; charset=utf-8", "read-only\n");
    }
    // Routes match the raw path, so an encoded "/" or ".." never reaches a route it was not meant for.
    const path = url.pathname;
    const asset = assets[path];
    if (asset) return sendFile(req, res, asset, SECURITY_HEADERS["Content-Security-Policy"]);
    if (path === "/api/runs") {
      index.list().then(
        (list) => json(res, list),
        (e: Error) => send(res, 500, "text/plain; charset=utf-8", `internal error: ${e.message}\n`),
      );
      return;
    }
    if (path === "/api/run") {
      const run = index.run(url.searchParams.get("id") ?? "");
      return run ? json(res, runView(run)) : notFound(res);
    }
    if (path === "/api/run/stream") return stream(req, res, url.searchParams.get("id") ?? "");
    if (path === "/api/compare") {
      const ids = (url.searchParams.get("ids") ?? "").split(",").filter(Boolean);
      if (ids.length < 2 || ids.length > MAX_COMPARE)
        return send(
          res,
          400,
          "text/plain; charset=utf-8",
          `compare takes 2 to ${MAX_COMPARE} runs, got ${ids.length}\n`,
        );
      const runs = ids.map((id) => index.run(id));
      if (runs.some((r) => r === null)) return notFound(res);
      return json(res, compareView(runs.map((r) => r!)));
    }
    if (path === "/api/sweep") {
      const sweep = index.sweep(url.searchParams.get("id") ?? "");
      return sweep ? json(res, sweep) : notFound(res);
    }
    if (path.startsWith("/files/")) {
      const file = resolveUnder(index.root, path.slice("/files/".length));
      if (!file || !statSync(file).isFile()) return notFound(res);
      return sendFile(req, res, file, FILE_CSP);
    }
    return notFound(res);
  }

  /** Server-Sent Events for one run: a snapshot, then an update each time its folder changes. */
  function stream(req: IncomingMessage, res: ServerResponse, id: string): void {
    const run = index.run(id);
    if (!run) return notFound(res);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
    });
    let sent = -1;
    const push = (event: string) => {
      sent = run.version;
      res.write(`event: ${event}\ndata: ${JSON.stringify(runView(run))}\n\n`);
    };
    push("snapshot");
    let timer: NodeJS.Timeout | null = null;
    const check = () => {
      timer = null;
      run.refresh();
      if (run.version !== sent) push("update");
    };
    const schedule = () => {
      timer ??= setTimeout(check, 250);
    };
    let watcher: FSWatcher | null = null;
    try {
      watcher = watch(run.dir, schedule);
      watcher.on("error", () => undefined);
    } catch {
      watcher = null;
    }
    // fs.watch can miss changes on some file systems (network mounts): a cheap size check backs it up.
    const backup = setInterval(schedule, 2000);
    const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
    const stop = () => {
      watcher?.close();
      clearInterval(backup);
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      streams.delete(stop);
      res.end();
    };
    streams.add(stop);
    req.on("close", stop);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // Read the folder once in the background, so the first page load finds it ready.
  void index.list().catch(() => undefined);
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/${token ? `?token=${token}` : ""}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        index.stop();
        for (const stop of [...streams]) stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

function json(res: ServerResponse, value: unknown): void {
  send(res, 200, "application/json; charset=utf-8", JSON.stringify(value));
}

function notFound(res: ServerResponse): void {
  send(res, 404, "text/plain; charset=utf-8", "not found\n");
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, csp: string): void {
  const size = statSync(file).size;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    "Content-Security-Policy": csp,
    "Content-Type": contentType(file),
    "Content-Length": size,
  });
  if (req.method === "HEAD") return void res.end();
  createReadStream(file).pipe(res);
}
