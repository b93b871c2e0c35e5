import { existsSync, mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomicSync } from "@aflora/core";
import type { SuiteRunner } from "../integrations/repro/suite.js";

/** Suite name → the package check it runs (the same one `npx nx run <package>:repro` runs). */
const SUITES: Record<string, () => Promise<SuiteRunner>> = {
  encoder: async () => (await import("../integrations/repro/encoder.js")).encoderSuite,
  adapter: async () => {
    const { runParamsRepro } = await import("@aflora/adapter/repro");
    return async (fixtures) => runParamsRepro(fixtures);
  },
  freezing: async () => (await import("../integrations/repro/freezing.js")).freezingSuite,
  "freezing-decoder": async () => (await import("../integrations/repro/freezing.js")).freezingDecoderSuite,
  decoder: async () => {
    const { runDecoderRepro } = await import("@aflora/decoder/repro");
    await import("@tensorflow/tfjs-backend-cpu");
    await import("@tensorflow/tfjs-backend-wasm");
    return async (fixtures) => {
      const r = await runDecoderRepro(join(fixtures, "hf-parity-decoder"));
      return { ok: r.ok, text: r.text };
    };
  },
  metrics: async () => {
    const { runMetricsRepro } = await import("@aflora/metrics/repro");
    return async () => runMetricsRepro();
  },
  "glue-data": async () => {
    const { runGlueDataRepro } = await import("@aflora/glue-data/repro");
    // --fixtures is the repository's fixtures/ (→ glue-tiny/) or a GLUE fixture folder itself.
    return (fixtures) => runGlueDataRepro(existsSync(join(fixtures, "glue-tiny")) ? join(fixtures, "glue-tiny") : fixtures);
  },
};
export const REPRO_SUITES = Object.keys(SUITES);

/** The repository's fixtures/ (packages/cli/dist/commands → ../../../../fixtures). */
const DEFAULT_FIXTURES = fileURLToPath(new URL("../../../../fixtures/", import.meta.url));

/** `aflora repro <suite>`: runs one suite, prints and writes its report; exit 1 if it fails. */
export async function reproCommand(suite: string, flags: { fixtures?: string; out?: string }): Promise<void> {
  const fixtures = resolve(flags.fixtures ?? DEFAULT_FIXTURES);
  if (!existsSync(fixtures)) throw new Error(`--fixtures: ${fixtures} does not exist`);
  const run = await SUITES[suite]!();
  const started = Date.now();
  const result = await run(fixtures);
  const out = resolve(flags.out ?? "repro-reports");
  mkdirSync(out, { recursive: true });
  const file = join(out, `${suite}.md`);
  const header = `# aflora repro ${suite}: ${result.ok ? "PASS" : "FAIL"}\n\nfixtures: ${fixtures}\ntime: ${((Date.now() - started) / 1000).toFixed(1)} s\n\n`;
  writeFileAtomicSync(file, header + result.text + "\n");
  process.stdout.write(`${result.text}\n\n${result.ok ? "PASS" : "FAIL"}: report written to ${relative(process.cwd(), file)}\n`);
  if (!result.ok) process.exitCode = 1;
}
