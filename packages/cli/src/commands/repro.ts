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
      const r = await runDecoderRepro(fixtures);
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
    return (fixtures) =>
      runGlueDataRepro(existsSync(join(fixtures, "glue-tiny")) ? join(fixtures, "glue-tiny") : fixtures);
  },
};
export const REPRO_SUITES = Object.keys(SUITES);
/** `all` runs every suite through the sweep runner (child processes, or a queue's workers) and writes one report. */
export const REPRO_CHOICES = [...REPRO_SUITES, "all"];

/** The repository's fixtures/ (packages/cli/dist/commands → ../../../../fixtures). */
const DEFAULT_FIXTURES = fileURLToPath(new URL("../../../../fixtures/", import.meta.url));

/** `aflora repro <suite>`: runs one suite, prints and writes its report; exit 1 if it fails. */
export async function reproCommand(
  suite: string,
  flags: { fixtures?: string; out?: string; queue?: string; parallel?: string },
): Promise<void> {
  if (suite === "all") return reproAllCommand(flags);
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
  process.stdout.write(
    `${result.text}\n\n${result.ok ? "PASS" : "FAIL"}: report written to ${relative(process.cwd(), file)}\n`,
  );
  if (!result.ok) process.exitCode = 1;
}

async function reproAllCommand(flags: {
  fixtures?: string;
  out?: string;
  queue?: string;
  parallel?: string;
}): Promise<void> {
  const { reproAll } = await import("@aflora/sweep/repro");
  const { AFLORA_BIN } = await import("./sweep.js");
  const out = resolve(flags.out ?? "repro-reports");
  const fixtures = resolve(flags.fixtures ?? DEFAULT_FIXTURES);
  const parallel = flags.parallel === undefined ? undefined : Number(flags.parallel);
  const suites = REPRO_SUITES.map((name) => ({ name, args: ["repro", name, "--fixtures", fixtures, "--out", out] }));
  const r = await reproAll({
    suites,
    output: out,
    cliBin: AFLORA_BIN,
    ...(flags.queue ? { queue: flags.queue } : {}),
    ...(parallel ? { parallel } : {}),
  });
  process.stdout.write(
    `${r.markdown}\n\n${r.ok ? "PASS" : "FAIL"}: ${r.suites.filter((x) => x.ok).length}/${r.suites.length} suites pass; report in ${relative(process.cwd(), r.dir)}\n`,
  );
  if (!r.ok) process.exitCode = 1;
}
