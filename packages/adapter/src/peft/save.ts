import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { firstNonFiniteArray, writeFileAtomic, writeSafetensors, type SafetensorsInput } from "@aflora/core";
import type { AppliedAdapter } from "../apply/applied-adapter.js";
import {
  alsoSavedParameters,
  loraConfigJson,
  lowRankVectorConfigJson,
  resolvedTargets,
  type PeftConfigOptions,
} from "./adapter-config.js";
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, fileKey } from "./names.js";
import { stateEntry } from "./tensors.js";

/** safetensors `__metadata__` keys aflora adds (PEFT ignores them). */
export const METADATA_CONFIG = "aflora.config";
export const METADATA_FLAGS = "aflora.flags";
export const METADATA_VERSION = "aflora.version";
/** Frozen modules stored next to the adapter (`PeftConfigOptions.alsoSave`). */
export const METADATA_ALSO_SAVED = "aflora.also_saved";

/**
 * Writes `adapter_config.json` + `adapter_model.safetensors` in the PEFT layout: every
 * adapter tensor, λ vectors included, the `modules_to_save` parameters, and in the
 * safetensors metadata the exact config and the trainable/frozen flags (with freeze steps)
 * (plus any frozen `alsoSave` modules),
 * so `loadAdapter` restores the adapter exactly. LoRA folders load in PEFT as they are.
 * A tensor holding NaN or ±Inf is an error naming it, before anything is written.
 */
export async function saveAdapter(
  adapter: AppliedAdapter,
  dir: string,
  options: PeftConfigOptions = {},
): Promise<void> {
  const params = adapter.params;
  const tensors: Record<string, SafetensorsInput> = {};
  const flags: Record<string, unknown> = {};
  const allFlags = params.flags();
  for (const name of [
    ...adapter.parameterNames,
    ...adapter.savedParameters,
    ...alsoSavedParameters(adapter, options),
  ]) {
    tensors[fileKey(name)] = stateEntry(params, name);
    flags[name] = allFlags[name];
  }
  const bad = firstNonFiniteArray(Object.entries(tensors) as [string, { data: ArrayLike<number> }][]);
  if (bad)
    throw new Error(
      `saveAdapter ${dir}: "${bad}" holds NaN or infinite values (the run diverged); nothing was written`,
    );
  const c = adapter.config;
  const config =
    c.method === "lora"
      ? loraConfigJson(adapter, { r: c.r, loraAlpha: c.alpha, dropout: c.dropout }, options)
      : lowRankVectorConfigJson(adapter, options);
  const metadata = {
    format: "pt",
    [METADATA_VERSION]: "1",
    [METADATA_CONFIG]: JSON.stringify({
      ...c,
      targetModules: resolvedTargets(adapter),
      modulesToSave: [...adapter.modulesToSave],
    }),
    [METADATA_FLAGS]: JSON.stringify(flags),
    [METADATA_ALSO_SAVED]: JSON.stringify(options.alsoSave ?? []),
  };
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, ADAPTER_WEIGHTS_FILE), writeSafetensors(tensors, metadata));
  await writeFileAtomic(join(dir, ADAPTER_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
}
