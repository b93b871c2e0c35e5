export { main, EXIT } from "./main.js";
export { buildProgram, VERSION } from "./program.js";
export { resolveConfig, validateConfig, checkPathsExist, type ResolveInput } from "./config/resolve-config.js";
export { ConfigError } from "./config/config-error.js";
export { listPresets, loadPreset, PRESETS_DIR } from "./config/presets.js";
export { createPluginRegistry, DEFAULT_PLUGIN_PACKAGES } from "./integrations/plugins.js";
export { createRunFolder, runPaths } from "./run/run-folder.js";
export { runTraining, type TrainingOptions, type TrainingResult } from "./train/run-training.js";
export { pluginInfos, type PluginInfo } from "./commands/plugins.js";
