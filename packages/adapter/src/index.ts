// Applying an adapter to a model, counting what it trains, and taking it off again.
export type { AdaptableModel } from "./base/adaptable-model.js";
export { applyAdapter, planAdapter, moduleSpecs, type ApplyOptions, type AdapterLayout } from "./apply/apply.js";
export { AppliedAdapter, type AdaptedModule } from "./apply/applied-adapter.js";
export { removeAdapter } from "./apply/remove-adapter.js";
export { countParameters, formatParameterCounts, type AdapterParameterCount } from "./apply/counts.js";

// The method contract: plans, module kinds and target modules.
export { LowRankPath } from "./base/low-rank-path.js";
export type { AdapterMethod, BaseAdapterConfig, PlanContext } from "./base/method.js";
export { moduleKind, type ModuleKind } from "./base/module-kind.js";
export type { ModuleSpec } from "./base/module-spec.js";
export { defaultModulesToSave } from "./base/modules-to-save.js";
export {
  SHARED_A,
  SHARED_B,
  tensorName,
  type AdapterPlan,
  type ModulePlan,
  type TensorPlan,
  type TensorRole,
} from "./base/plan.js";
export {
  DEFAULT_TARGET_MODULES,
  defaultTargetModules,
  matchesSuffix,
  resolveTargetModules,
  type KnownArchitecture,
  type TargetModules,
} from "./base/targets.js";

// The methods (full, LoRA, ELoRA/VeRA, AFLoRA) and their configs.
export {
  ADAPTER_METHODS,
  ADAPTER_METHOD_NAMES,
  adapterMethod,
  parseAdapterConfig,
  type AdapterConfig,
  type AdapterMethodName,
} from "./methods.js";
export type { LoraConfig } from "./lora/config.js";
export type { EloraConfig } from "./elora/config.js";
export { TRAINABLE_PM, type AfloraConfig, type TrainablePm } from "./aflora/config.js";

// Plugins for core's registry and the run adapter they build.
export { register, registerAdapters, adapterPlugins } from "./register.js";
export { ADAPTER_DIR, modulesToCarry, lowRankFactory } from "./plugin/low-rank-run-adapter.js";
export { MODEL_DIR } from "./full/plugin.js";

// Saving, loading and exporting in Hugging Face PEFT layout (or merged into the base weights).
export { saveAdapter, METADATA_ALSO_SAVED, METADATA_CONFIG, METADATA_FLAGS, METADATA_VERSION } from "./peft/save.js";
export { loadAdapter } from "./peft/load.js";
export { exportPeftLora } from "./peft/export-lora.js";
export {
  exportAdapter,
  exportedShapes,
  EXPORT_FORMATS,
  MERGED_CONFIG_FILE,
  MERGED_WEIGHTS_FILE,
  type ExportFormat,
  type ExportOptions,
  type ExportResult,
} from "./export/export-adapter.js";
export type { PeftConfigOptions } from "./peft/adapter-config.js";
export {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  PEFT_BASE_PREFIX,
  PEFT_MODEL_PREFIX,
  fileKey,
} from "./peft/names.js";

// The params report: trainable parameters per method for a Hugging Face config.
export { modelShapes, type ModelShapes, type StateEntry } from "./report/hf-shapes.js";
export { paramsReport, type ParamsReport, type ParamsReportOptions } from "./report/params-report.js";
