import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { container as rootContainer } from "tsyringe";
import {
  installFastGradients,
  selectBackend,
  type ModelSource,
  type PluginRegistry,
  type RunConfig,
  type RunTask,
} from "@aflora/core";
import { loadAdapter, ADAPTER_DIR, MODEL_DIR } from "@aflora/adapter";
import { formatMetric, markdownTable } from "@aflora/metrics";
import { resolveConfig } from "../config/resolve-config.js";
import { ConfigError } from "../config/config-error.js";
import { createPluginRegistry } from "../integrations/plugins.js";
import { runPaths } from "../run/run-folder.js";
import { readSavedConfig, trustedModules } from "./train.js";

interface EvalFlags extends Record<string, unknown> {
  run?: string;
  config?: string;
  preset?: string;
  plugin?: string[];
  trustRunImports?: boolean;
}

/** What a run folder saved: a PEFT adapter, or (full fine-tuning) a whole model folder. */
async function runConfig(
  flags: EvalFlags,
  registry: PluginRegistry,
): Promise<{ config: RunConfig; adapterDir: string | null }> {
  if (!flags.run)
    return {
      config: await resolveConfig(
        { config: flags.config, preset: flags.preset, flags, plugins: flags.plugin },
        registry,
      ),
      adapterDir: null,
    };
  const paths = runPaths(resolve(flags.run));
  if (!existsSync(paths.config))
    throw new ConfigError(`--run: ${paths.dir} is not an aflora run folder (no config.json)`);
  const config = await readSavedConfig(paths.config, registry, trustedModules(flags));
  const adapterDir = join(paths.dir, ADAPTER_DIR);
  if (existsSync(join(adapterDir, "adapter_config.json"))) return { config, adapterDir };
  const modelDir = join(paths.dir, MODEL_DIR);
  // Full fine-tuning saved the whole model with its tokenizer, as a Hugging Face folder.
  if (existsSync(join(modelDir, "model.safetensors")))
    return { config: { ...config, model: { name: config.model.name, path: modelDir } }, adapterDir: null };
  throw new ConfigError(`--run: ${paths.dir} has no saved adapter or model (the run did not finish)`);
}

/**
 * `aflora eval`: the validation metrics of a finished run (`--run`), or of a model as configured
 * (no adapter: the untrained head), on the config's task.
 */
export async function evalCommand(flags: EvalFlags, registry: PluginRegistry = createPluginRegistry()): Promise<void> {
  const { config, adapterDir } = await runConfig(flags, registry);
  const backend = await selectBackend(config.backend as never);
  installFastGradients();
  const scope = rootContainer.createChildContainer();
  const task = registry.create<RunTask>("task", config.data, scope, "data");
  const source = registry.create<ModelSource>("model", config.model, scope, "model");
  const built = await source.load({
    task: task.info,
    seed: config.training.seed,
    warn: (m) => process.stderr.write(`warning: ${m}\n`),
  });
  try {
    if (adapterDir) await loadAdapter(built.model as never, adapterDir);
    const loaded = await task.load({
      tokenizer: built.tokenizer,
      batchSize: config.training.batchSize,
      seed: config.training.seed,
      maxSeqLength: config.training.maxSeqLength,
    });
    if (!loaded.evaluator) throw new ConfigError(`data: the task "${task.info.name}" has no evaluation split`);
    built.model.setTraining?.(false);
    const metrics = loaded.evaluator.evaluate(built.model);
    const rows = Object.entries(metrics).map(([k, v]) => [
      k + (k === loaded.evaluator!.selectionMetric ? " (selection)" : ""),
      formatMetric(v),
    ]);
    process.stdout.write(
      `${task.info.name} on ${backend}${adapterDir ? ` with ${adapterDir}` : flags.run ? ` with ${String(config.model.path)}` : " (no adapter)"}\n\n${markdownTable(["metric", "value"], rows)}\n`,
    );
  } finally {
    built.model.params.dispose();
  }
}
