import "reflect-metadata";
import { CommanderError } from "commander";
import { buildProgram } from "./program.js";
import { ConfigError } from "./config/config-error.js";

/** Exit codes: 0 done, 1 failure, 2 bad config or usage, 130 interrupted (Ctrl-C) after a clean checkpoint. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** Runs the aflora command with `argv` (as process.argv: node, script, args…); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof ConfigError) {
      process.stderr.write(`aflora: invalid config\n${e.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`aflora: ${(e as Error).message}\n`);
    if (process.env.AFLORA_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return EXIT.failure;
  }
}
