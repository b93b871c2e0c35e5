import "reflect-metadata";
import { CommanderError } from "commander";
import { buildProgram } from "./program.js";

/** Exit codes: 0 success, 1 the run failed, 2 usage, config or input error, 130 interrupted (Ctrl-C) after a clean checkpoint. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** Errors of the user's command line, config or input files: exit 2 with one line. */
const USAGE_ERRORS = new Set([
  "ConfigError",
  "RunConfigError",
  "InputError",
  "UnknownPluginError",
  "DataFormatError",
  "HubNameError",
  "PoisonedCacheError",
  "NotInCacheError",
]);

export function exitCodeOf(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  const kind = (e as { kind?: unknown }).kind;
  if (e instanceof Error && (USAGE_ERRORS.has(e.name) || (e.name === "GlueDownloadError" && kind !== "download")))
    return EXIT.usage;
  return EXIT.failure;
}

/** Runs the aflora command with `argv` (as process.argv: node, script, args…); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (e) {
    const code = exitCodeOf(e);
    // commander has already printed its one-line usage error.
    if (!(e instanceof CommanderError)) {
      const name = (e as Error).name;
      if (name === "ConfigError" || name === "RunConfigError")
        process.stderr.write(`aflora: invalid config\n${(e as Error).message}\n`);
      else process.stderr.write(`aflora: ${code === EXIT.usage ? "invalid input: " : ""}${(e as Error).message}\n`);
      if (process.env.AFLORA_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    }
    return code;
  }
}
