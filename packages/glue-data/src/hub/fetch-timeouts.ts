/**
 * fetch with a connect timeout (until the headers) and an idle timeout (between body chunks),
 * with messages naming the URL. Defaults follow huggingface_hub: `$HF_HUB_ETAG_TIMEOUT` and
 * `$HF_HUB_DOWNLOAD_TIMEOUT` seconds, else 10 s. (@aflora/encoder has the same for models;
 * glue-data does not depend on the encoder, so the few lines live here too.)
 */
export interface FetchTimeouts {
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
}

const seconds = (env: string | undefined) => {
  const v = Number(env);
  return env !== undefined && Number.isFinite(v) && v > 0 ? v * 1000 : 10_000;
};

export async function fetchWithTimeouts(
  url: string,
  init: RequestInit & FetchTimeouts & { fetch?: typeof fetch | undefined } = {},
): Promise<Response> {
  const connect = init.connectTimeoutMs ?? seconds(process.env["HF_HUB_ETAG_TIMEOUT"]);
  const idle = init.idleTimeoutMs ?? seconds(process.env["HF_HUB_DOWNLOAD_TIMEOUT"]);
  const controller = new AbortController();
  let reason: Error | null = null;
  const expire = (ms: number, what: string) =>
    setTimeout(() => {
      reason = new Error(`GET ${url}: ${what} within ${ms / 1000} s`);
      controller.abort(reason);
    }, ms);
  let timer = expire(connect, "no response");
  let res: Response;
  try {
    res = await (init.fetch ?? fetch)(url, { ...init, signal: controller.signal });
  } catch (e) {
    const cause = (e as Error & { cause?: { code?: string } }).cause?.code;
    throw reason ?? new Error(`GET ${url}: ${(e as Error).message}${cause ? ` (${cause})` : ""}`);
  } finally {
    clearTimeout(timer);
  }
  if (!res.body) return res;
  const reader = res.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(stream) {
      timer = expire(idle, "no data");
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
    cancel: (why) => reader.cancel(why),
  });
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}
