/** How long a Hub request may wait; huggingface_hub's defaults and environment variables. */
export interface HubTimeouts {
  /** Until the response headers arrive (default `$HF_HUB_ETAG_TIMEOUT` seconds, else 10 s). */
  connectTimeoutMs?: number;
  /** Longest pause between two chunks of a body (default `$HF_HUB_DOWNLOAD_TIMEOUT` seconds, else 10 s). */
  idleTimeoutMs?: number;
}

export class HubTimeoutError extends Error {
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = "HubTimeoutError";
  }
}

/** The request never got an answer: connection refused, DNS failure, reset. */
export class HubNetworkError extends Error {
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = "HubNetworkError";
  }
}

function seconds(env: string | undefined, fallback: number): number {
  const v = Number(env);
  return env !== undefined && Number.isFinite(v) && v > 0 ? v * 1000 : fallback;
}

export function resolveTimeouts(t: HubTimeouts = {}): Required<HubTimeouts> {
  return {
    connectTimeoutMs: t.connectTimeoutMs ?? seconds(process.env["HF_HUB_ETAG_TIMEOUT"], 10_000),
    idleTimeoutMs: t.idleTimeoutMs ?? seconds(process.env["HF_HUB_DOWNLOAD_TIMEOUT"], 10_000),
  };
}

/**
 * fetch with a connect timeout (until the headers) and an idle timeout (between body chunks),
 * each failing with a message that names the URL and the option to change. Without them, a
 * server that accepts the connection and never answers holds the run for undici's 300 s.
 */
export async function fetchWithTimeouts(
  url: string,
  init: RequestInit & { timeouts?: HubTimeouts; fetch?: typeof fetch } = {},
): Promise<Response> {
  const { connectTimeoutMs, idleTimeoutMs } = resolveTimeouts(init.timeouts);
  const doFetch = init.fetch ?? fetch;
  const controller = new AbortController();
  let reason: HubTimeoutError | null = null;
  const expire = (ms: number, what: string, option: string) =>
    setTimeout(() => {
      reason = new HubTimeoutError(`${init.method ?? "GET"} ${url}: ${what} within ${ms / 1000} s (${option})`, url);
      controller.abort(reason);
    }, ms);
  let timer = expire(connectTimeoutMs, "no response", "connectTimeoutMs, or HF_HUB_ETAG_TIMEOUT in seconds");
  let response: Response;
  try {
    response = await doFetch(url, { ...init, signal: controller.signal });
  } catch (e) {
    clearTimeout(timer);
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- set by the timer callback (TS narrows it to null here)
    if (reason) throw reason;
    const cause = (e as Error & { cause?: { code?: string; message?: string } }).cause;
    throw new HubNetworkError(
      `${init.method ?? "GET"} ${url}: ${(e as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ""}`,
      url,
    );
  }
  clearTimeout(timer);
  if (!response.body) return response;
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(stream) {
      timer = expire(idleTimeoutMs, "no data", "idleTimeoutMs, or HF_HUB_DOWNLOAD_TIMEOUT in seconds");
      try {
        const { done, value } = await reader.read();
        if (done) stream.close();
        else stream.enqueue(value);
      } catch (e) {
        stream.error(reason ?? e);
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(why) {
      clearTimeout(timer);
      return reader.cancel(why);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
