/**
 * A run could not be built from its inputs (a model, tokenizer or data file that is missing or
 * malformed): the CLI exits 2 for it, as for a config error, and 1 for a run that failed.
 */
export class InputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InputError";
  }
}

/** Errors of the network or the server, not of the user's input: they stay run failures. */
const TRANSIENT = new Set(["HubTimeoutError", "HubNetworkError"]);

/** Wraps an error raised while reading a run's inputs as an InputError, unless it came from the network. */
export function asInputError(e: unknown): unknown {
  if (!(e instanceof Error) || e.name === "InputError") return e;
  if (TRANSIENT.has(e.name)) return e;
  const status = (e as { status?: unknown }).status;
  if (e.name === "HubRequestError" && typeof status === "number" && status >= 500) return e;
  if ((e as { kind?: unknown }).kind === "download") return e;
  return new InputError(e.message, { cause: e });
}
