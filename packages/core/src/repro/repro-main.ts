import { mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomicSync } from "../io/atomic.js";

/** What a reproducibility suite returns: pass/fail and its report (plain text or Markdown). */
export interface ReproResult {
  ok: boolean;
  text: string;
}

export interface ReproMainOptions {
  /** Package name, e.g. "@aflora/adapter". */
  packageName: string;
  /** Report file stem under the output folder, e.g. "adapter" → `<out>/adapter.md`. */
  reportName: string;
  /** What the suite checks, for the report title, e.g. "the paper's parameter counts". */
  title: string;
  /** Fixtures folder when none is given on the command line (undefined: the suite's own default). */
  defaultFixtures?: string;
  defaultOut: string;
  run: (fixtures: string | undefined) => ReproResult | Promise<ReproResult>;
}

/**
 * The body of every package's `repro` entry (`node dist/repro/main.js [fixturesDir] [--out <dir>]`):
 * runs the suite, prints its report, writes `<out>/<reportName>.md` atomically and returns the
 * exit code (1 on any failed check).
 */
export async function runReproMain(args: string[], o: ReproMainOptions): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { out: { type: "string" } }, allowPositionals: true });
  const given = positionals[0] ?? o.defaultFixtures;
  const fixtures = given === undefined ? undefined : resolve(given);
  const started = Date.now();
  const result = await o.run(fixtures);
  const status = result.ok ? "PASS" : "FAIL";
  const out = resolve(values.out ?? o.defaultOut);
  mkdirSync(out, { recursive: true });
  const file = join(out, `${o.reportName}.md`);
  const header = [
    `# ${o.packageName} repro (${o.title}): ${status}`,
    "",
    ...(fixtures ? [`fixtures: ${fixtures}`] : []),
    `time: ${((Date.now() - started) / 1000).toFixed(1)} s`,
    "",
    "",
  ].join("\n");
  writeFileAtomicSync(file, header + result.text + "\n");
  process.stdout.write(
    `${result.text}\n\n${status}: ${o.packageName} repro (${o.title}); report written to ${relative(process.cwd(), file)}\n`,
  );
  return result.ok ? 0 : 1;
}

/** Runs `runReproMain` as a process entry point: sets the exit code, prints errors as one line. */
export function reproEntry(o: ReproMainOptions): void {
  runReproMain(process.argv.slice(2), o).then(
    (code) => {
      process.exitCode = code;
    },
    (e: Error) => {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 1;
    },
  );
}
