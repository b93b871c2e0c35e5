import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const TOKEN_COOKIE = "aflora_dashboard_token";
const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** 24 random bytes, URL-safe: what a non-loopback dashboard requires on every request. */
export function newAccessToken(): string {
  return randomBytes(24).toString("base64url");
}

/** The token a request carries: `Authorization: Bearer`, the `token` query parameter, or the cookie the page got. */
export function requestToken(req: IncomingMessage, url: URL): { token: string | null; fromQuery: boolean } {
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ")) return { token: auth.slice(7).trim(), fromQuery: false };
  const q = url.searchParams.get("token");
  if (q) return { token: q, fromQuery: true };
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === TOKEN_COOKIE) return { token: v.join("="), fromQuery: false };
  }
  return { token: null, fromQuery: false };
}

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A dashboard on loopback answers only requests addressed to a loopback name, so a web page
 * elsewhere cannot reach it through DNS rebinding.
 */
export function hostHeaderAllowed(req: IncomingMessage, boundHost: string): boolean {
  if (!isLoopback(boundHost)) return true;
  const host = req.headers.host;
  if (!host) return false;
  const name = host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.split(":")[0]!;
  return isLoopback(name);
}
