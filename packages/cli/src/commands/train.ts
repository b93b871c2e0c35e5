import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { writeFileAtomicSync, type PluginRegistry, type RunConfig } from "@aflora/core";
import { formatCount, formatDuration } from "@aflora/metrics";
import { resolveConfig, validateConfig } from "../config/resolve-config.js";
import { loadPluginModules } from "../config/plugin-modules.js";
import { ConfigError } from "../config/config-error.js";
import { createRunFolder, runPaths } from "../run/run-folder.js";
import { acquireRunLock } from "../run/run-lock.js";
import { createPluginRegistry } from "../integrations/plugins.js";
import { runTraining, hasCheckpoint } from "../train/run-training.js";
import { refuseConfigFlagsOnResume } from "./resume-flags.js";

export interface TrainFlags extends Record<string, unknown> {
  config?: string;
  preset?: string;
  resume?: string;
  plots?: boolean;
  quiet?: boolean;
  plugin?: string[];
  trustRunImports?: boolean;
  profile?: boolean | string;
}

const DEMO_NOTICE = [
  "aflora demo: fine-tuning AFLoRA on the SpamAssassin corpus (ham vs spam).",
  "The encoder is a tiny DeBERTa-v3-style model RANDOMLY INITIALISED from @aflora/encoder's assets/demo-encoder:",
  "no pretrained model is available offline, so expect modest scores; they show the pipeline, not the method.",
  "To use a real model: aflora train --model microsoft/deberta-v3-base   (or --model <Hugging Face model folder>)",
  "",
].join("\n");

/** `aflora train`: resolves the config (or reads it back on --resume), trains into a run folder, prints where it went. */
export async function trainCommand(
  flags: TrainFlags,
  registry: PluginRegistry = createPluginRegistry(),
): Promise<void> {
  const log = flags.quiet ? () => {} : (line: string) => process.stderr.write(line + "\n");
  let config: RunConfig;
  let dir: string;
  let runId: string;
  if (flags.resume) {
    refuseConfigFlagsOnResume(flags);
    dir = resolve(flags.resume);
    const paths = runPaths(dir);
    if (!existsSync(paths.config))
      throw new ConfigError(`--resume: ${dir} is not an aflora run folder (no config.json)`);
    if (!(await hasCheckpoint(dir)))
      throw new ConfigError(`--resume: ${dir} has no checkpoint yet (nothing to continue from; start a new run)`);
    config = await readSavedConfig(paths.config, registry, trustedModules(flags));
    runId = dir.split(/[\\/]/).pop()!;
    log(`Resuming ${runId} from its latest checkpoint.`);
  } else {
    config = await resolveConfig(
      { config: flags.config, preset: flags.preset, flags, plugins: flags.plugin },
      registry,
    );
    ({ dir, runId } = createRunFolder(config.output, config.name ?? config.adapter.name));
    writeFileAtomicSync(runPaths(dir).config, JSON.stringify(config, null, 2) + "\n");
  }
  // The banner explains the built-in demo to someone who ran `aflora train` with nothing else.
  const plainDemo = !flags.config && !flags.preset && config.model.path === "demo" && config.name === "demo";
  if (plainDemo && !flags.resume) log(DEMO_NOTICE);
  const release = acquireRunLock(runPaths(dir).lock);
  let result;
  try {
    log(`run folder: ${dir}`);
    result = await runTraining(config, {
      runDir: dir,
      runId,
      resume: Boolean(flags.resume),
      registry,
      progress: !flags.quiet,
      plots: flags.plots !== false,
      log,
      profileSteps: profileSteps(flags.profile),
    });
  } catch (e) {
    // A run that failed before its first event (model or data could not load) leaves no folder behind.
    if (!flags.resume && !existsSync(runPaths(dir).events)) rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    release();
  }
  const { report, interrupted } = result;
  const rel = (p: string) => relative(process.cwd(), p) || ".";
  const best = report.best
    ? `best ${report.best.metric} ${report.best.value.toFixed(4)} at step ${report.best.step}`
    : "no evaluation";
  const out = [
    "",
    interrupted
      ? `Interrupted: checkpoint saved at step ${report.steps.done}. Continue with: aflora train --resume ${rel(dir)}`
      : `Done: ${report.steps.done} steps in ${formatDuration(report.wallTimeMs)} on ${report.backend}.`,
    `${best}; trainable parameters (classifier excluded) ${formatCount(report.trainable.start)} → ${formatCount(report.trainable.end)}, step-averaged ${formatCount(report.trainable.stepAveraged)}.`,
    `Run folder: ${rel(dir)}`,
    `Report:     ${rel(join(dir, "report.md"))}`,
    "",
  ];
  // --quiet keeps stdout for what a user must act on: how to continue an interrupted run.
  if (!flags.quiet) process.stdout.write(out.join("\n"));
  else if (interrupted) process.stdout.write(out[1] + "\n");
  if (interrupted) process.exitCode = 130;
}

function profileSteps(flag: unknown): number | undefined {
  if (flag === undefined || flag === false) return undefined;
  if (flag === true) return 5;
  const n = Number(flag);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError(`--profile: expected a number of steps (got "${String(flag)}")`);
  return n;
}

/** In the trusted list: every module the run folder names may be loaded (`--trust-run-imports`). */
export const TRUST_ALL = "\0trust-run-imports";

/** The modules a command trusts: those given again with --plugin, or all with --trust-run-imports. */
export function trustedModules(flags: {
  plugin?: string[] | undefined;
  trustRunImports?: boolean | undefined;
}): string[] {
  return [...(flags.plugin ?? []), ...(flags.trustRunImports ? [TRUST_ALL] : [])];
}

/**
 * A run folder's saved config. The plugin modules it lists under `imports` are loaded only when they
 * are passed again with `--plugin`: a run folder received from someone else never runs its code.
 */
export async function readSavedConfig(
  path: string,
  registry: PluginRegistry,
  trusted: readonly string[],
): Promise<RunConfig> {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`${path}: not a valid run config (${(e as Error).message})`);
  }
  // Facts recorded next to the config (what ran, with which package versions) are not config.
  delete raw.compute;
  delete raw.versions;
  const imports = Array.isArray(raw.imports) ? (raw.imports as string[]) : [];
  const untrusted = trusted.includes(TRUST_ALL) ? [] : imports.filter((s) => !trusted.includes(s));
  if (untrusted.length) {
    throw new ConfigError(
      `${path}: imports: this run loads plugin code (${untrusted.join(", ")}); pass each again with --plugin <module>, or --trust-run-imports`,
    );
  }
  await loadPluginModules(imports, registry, process.cwd(), path);
  return validateConfig(raw, registry, path);
}
