import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { container as rootContainer } from "tsyringe";
import { installFastGradients, selectBackend, type ModelSource, type PluginRegistry, type RunTask } from "@aflora/core";
import {
  ADAPTER_DIR,
  EXPORT_FORMATS,
  exportAdapter,
  loadAdapter,
  MODEL_DIR,
  modulesToCarry,
  type ExportFormat,
} from "@aflora/adapter";
import { copyTokenizerFiles } from "@aflora/encoder";
import { ConfigError } from "../config/config-error.js";
import { createPluginRegistry } from "../integrations/plugins.js";
import { runPaths } from "../run/run-folder.js";
import { readSavedConfig, trustedModules } from "./train.js";

/**
 * `aflora export <run> --format peft-lora|merged|peft-aflora [--output D]`: a finished run's adapter as a
 * standard PEFT LoRA adapter (λ merged in), a whole merged model folder, or aflora's own adapter format.
 */
export async function exportCommand(
  run: string,
  flags: { format: string; output?: string; plugin?: string[]; trustRunImports?: boolean },
  registry: PluginRegistry = createPluginRegistry(),
): Promise<void> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format))
    throw new ConfigError(`--format: expected one of ${EXPORT_FORMATS.join(", ")} (got "${flags.format}")`);
  const format = flags.format as ExportFormat;
  const paths = runPaths(resolve(run));
  if (!existsSync(paths.config)) throw new ConfigError(`${paths.dir}: not an aflora run folder (no config.json)`);
  const adapterDir = join(paths.dir, ADAPTER_DIR);
  if (!existsSync(join(adapterDir, "adapter_config.json"))) {
    const model = join(paths.dir, MODEL_DIR);
    if (existsSync(model))
      throw new ConfigError(
        `${paths.dir}: a full fine-tuning run; its model/ folder already is the merged model (${model})`,
      );
    throw new ConfigError(`${paths.dir}: no saved adapter (the run did not finish)`);
  }
  const config = await readSavedConfig(paths.config, registry, trustedModules(flags));
  await selectBackend(config.backend as never);
  installFastGradients();
  const scope = rootContainer.createChildContainer();
  const task = registry.create<RunTask>("task", config.data, scope, "data");
  const source = registry.create<ModelSource>("model", config.model, scope, "model");
  const loaded = await source.load({
    task: task.info,
    seed: config.training.seed,
    warn: (m) => process.stderr.write(`warning: ${m}\n`),
  });
  const out = resolve(flags.output ?? join(paths.dir, `export-${format}`));
  try {
    const adapter = await loadAdapter(loaded.model as never, adapterDir);
    const result = await exportAdapter(adapter, format, out, {
      baseModelNameOrPath: loaded.nameOrPath,
      taskType: loaded.taskType,
      modelConfig: loaded.modelConfig,
      alsoSave: modulesToCarry(loaded.model as never),
    });
    // A merged model is a whole Hugging Face folder: it carries its tokenizer, as save_pretrained writes it.
    if (format === "merged" && loaded.tokenizerPath) copyTokenizerFiles(loaded.tokenizerPath, out);
    process.stdout.write(`${format}: ${result.files.join(", ")} in ${result.dir}\n`);
  } finally {
    loaded.model.params.dispose();
  }
}
