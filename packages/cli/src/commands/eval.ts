import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { container as rootContainer } from "tsyringe";
import { installFastGradients, selectBackend, type PluginRegistry } from "@aflora/core";
import { loadAdapter } from "@aflora/adapter";
import type { TaskData } from "@aflora/glue-data";
import { formatMetric, markdownTable } from "@aflora/metrics";
import { resolveConfigWithImports } from "../config/resolve-config.js";
import { loadPluginModules } from "../config/plugin-modules.js";
import { validateConfig } from "../config/validate.js";
import type { RunConfig } from "../config/schema.js";
import { createPluginRegistry } from "../integrations/plugins.js";
import { buildModel, tokenizerFolderOf } from "../integrations/model.js";
import { runPaths } from "../run/run-folder.js";

interface EvalFlags extends Record<string, unknown> {
  run?: string;
  config?: string;
  preset?: string;
  adapter?: string;
}

async function runConfig(flags: EvalFlags, registry: PluginRegistry): Promise<{ config: RunConfig; adapterDir: string | null }> {
  if (flags.run) {
    const paths = runPaths(resolve(flags.run));
    if (!existsSync(paths.config)) throw new Error(`--run: ${paths.dir} is not an aflora run folder (no config.json)`);
    const config = await validateSaved(paths.config, registry);
    if (config.method === "full") {
      if (!existsSync(join(paths.model, "model.safetensors"))) throw new Error(`--run: ${paths.dir} has no saved model (the run did not finish)`);
      // The trained weights, with the tokenizer of the model the run started from.
      return { config: { ...config, model: paths.model, tokenizer: await tokenizerFolderOf(config) }, adapterDir: null };
    }
    if (!existsSync(join(paths.adapter, "adapter_config.json"))) throw new Error(`--run: ${paths.dir} has no saved adapter (the run did not finish)`);
    return { config, adapterDir: paths.adapter };
  }
  return { config: await resolveConfigWithImports({ config: flags.config, preset: flags.preset, flags }, registry), adapterDir: null };
}

/**
 * `aflora eval`: the validation metrics of a finished run's adapter (`--run`), or of a model
 * as configured (no adapter: the untrained head), on the config's task.
 */
export async function evalCommand(flags: EvalFlags): Promise<void> {
  const registry = createPluginRegistry();
  const { config, adapterDir } = await runConfig(flags, registry);
  const backend = await selectBackend(config.backend);
  installFastGradients();
  const task = registry.create<TaskData>("task", config.data, rootContainer.createChildContainer(), "data");
  const built = await buildModel(config, task.info, config.training.seed);
  try {
    if (adapterDir) await loadAdapter(built.model, adapterDir);
    const loaded = await task.load({ tokenizer: built.tokenizer, batchSize: config.training.batchSize, seed: config.training.seed, maxSeqLength: config.training.maxSeqLength });
    built.model.setTraining?.(false);
    const metrics = loaded.evaluator.evaluate(built.model);
    const rows = Object.entries(metrics).map(([k, v]) => [k + (k === loaded.evaluator.selectionMetric ? " (selection)" : ""), formatMetric(v)]);
    process.stdout.write(`${task.info.name} on ${backend}${adapterDir ? ` with ${adapterDir}` : flags.run ? ` with ${config.model}` : " (no adapter)"}\n\n${markdownTable(["metric", "value"], rows)}\n`);
  } finally {
    built.model.params.dispose();
  }
}

/** A run folder's saved config, after loading the plugin packages it imports (paths are as resolved then). */
async function validateSaved(path: string, registry: PluginRegistry): Promise<RunConfig> {
  const raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  await loadPluginModules(raw.imports, registry, process.cwd(), path);
  return validateConfig(raw, registry, path);
}
