import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { writeFileAtomicSync, type PluginRegistry } from "@aflora/core";
import { formatCount, formatDuration } from "@aflora/metrics";
import { resolveConfigWithImports } from "../config/resolve-config.js";
import { loadPluginModules } from "../config/plugin-modules.js";
import { validateConfig } from "../config/validate.js";
import type { RunConfig } from "../config/schema.js";
import { createRunFolder, runPaths } from "../run/run-folder.js";
import { acquireRunLock } from "../run/run-lock.js";
import { createPluginRegistry } from "../integrations/plugins.js";
import { runTraining, hasCheckpoint } from "../train/run-training.js";

interface TrainFlags extends Record<string, unknown> {
  config?: string;
  preset?: string;
  resume?: string;
  plots?: boolean;
  quiet?: boolean;
}

const DEMO_NOTICE = [
  "aflora demo: fine-tuning AFLoRA on the SpamAssassin corpus (ham vs spam).",
  "The encoder is a tiny DeBERTa-v3-style model RANDOMLY INITIALISED from packages/cli/assets/demo-encoder:",
  "no pretrained model is available offline, so expect modest scores; they show the pipeline, not the method.",
  "To use a real model: aflora train --model microsoft/deberta-v3-base   (or --model <Hugging Face model folder>)",
  "",
].join("\n");

/** `aflora train`: resolves the config (or reads it back on --resume), trains into a run folder, prints where it went. */
export async function trainCommand(flags: TrainFlags): Promise<void> {
  const registry = createPluginRegistry();
  const log = (line: string) => process.stderr.write(line + "\n");
  let config: RunConfig;
  let dir: string;
  let runId: string;
  if (flags.resume) {
    dir = resolve(flags.resume);
    const paths = runPaths(dir);
    if (!existsSync(paths.config)) throw new Error(`--resume: ${dir} is not an aflora run folder (no config.json)`);
    if (!hasCheckpoint(dir)) throw new Error(`--resume: ${dir} has no checkpoint yet (nothing to continue from; start a new run)`);
    config = await validateSaved(paths.config, registry);
    runId = dir.split(/[\\/]/).pop()!;
    log(`Resuming ${runId} from its latest checkpoint.`);
  } else {
    config = await resolveConfigWithImports({ config: flags.config, preset: flags.preset, flags }, registry);
    ({ dir, runId } = createRunFolder(config.output, config.name ?? (config.method === "full" ? "full" : config.method)));
    writeFileAtomicSync(runPaths(dir).config, JSON.stringify(config, null, 2) + "\n");
  }
  if (config.model === "demo" && !flags.quiet) log(DEMO_NOTICE);
  const release = acquireRunLock(runPaths(dir).lock);
  let result;
  try {
    log(`run folder: ${dir}`);
    result = await runTraining(config, { runDir: dir, runId, resume: Boolean(flags.resume), registry, progress: !flags.quiet, plots: flags.plots !== false, log });
  } catch (e) {
    // A run that failed before its first event (model or data could not load) leaves no folder behind.
    if (!flags.resume && !existsSync(runPaths(dir).events)) rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    release();
  }
  const { report, interrupted } = result;
  const rel = (p: string) => relative(process.cwd(), p) || ".";
  const best = report.best ? `best ${report.best.metric} ${report.best.value.toFixed(4)} at step ${report.best.step}` : "no evaluation";
  const out = [
    "",
    interrupted ? `Interrupted: checkpoint saved at step ${report.steps.done}. Continue with: aflora train --resume ${rel(dir)}` : `Done: ${report.steps.done} steps in ${formatDuration(report.wallTimeMs)} on ${report.backend}.`,
    `${best}; trainable parameters (classifier excluded) ${formatCount(report.trainable.start)} → ${formatCount(report.trainable.end)}, step-averaged ${formatCount(report.trainable.stepAveraged)}.`,
    `Run folder: ${rel(dir)}`,
    `Report:     ${rel(join(dir, "report.md"))}`,
    "",
  ];
  process.stdout.write(out.join("\n"));
  if (interrupted) process.exitCode = 130;
}

/** A run folder's saved config, after loading the plugin packages it imports (paths are as resolved then). */
async function validateSaved(path: string, registry: PluginRegistry): Promise<RunConfig> {
  const raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  await loadPluginModules(raw.imports, registry, process.cwd(), path);
  return validateConfig(raw, registry, path);
}
