import { SHARED_A, SHARED_B } from "../base/plan.js";

/** PEFT saves module tensors under the PeftModel's path to the base model. */
export const PEFT_MODEL_PREFIX = "base_model.model.";
/** …and model-level tensors (VeRA's shared projection) under `base_model.`. */
export const PEFT_BASE_PREFIX = "base_model.";

export const ADAPTER_CONFIG_FILE = "adapter_config.json";
export const ADAPTER_WEIGHTS_FILE = "adapter_model.safetensors";

/** Registry name → key in adapter_model.safetensors (`classifier.weight` → `base_model.model.classifier.weight`). */
export function fileKey(registryName: string): string {
  return registryName === SHARED_A || registryName === SHARED_B
    ? PEFT_BASE_PREFIX + registryName
    : PEFT_MODEL_PREFIX + registryName;
}
