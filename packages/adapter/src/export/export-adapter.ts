import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import {
  firstNonFiniteArray,
  readSafetensorsFile,
  writeFileAtomic,
  writeSafetensors,
  type SafetensorsInput,
} from "@aflora/core";
import type { AppliedAdapter } from "../apply/applied-adapter.js";
import type { PeftConfigOptions } from "../peft/adapter-config.js";
import { exportPeftLora } from "../peft/export-lora.js";
import { ADAPTER_WEIGHTS_FILE } from "../peft/names.js";
import { saveAdapter } from "../peft/save.js";
import { stateEntry } from "../peft/tensors.js";

/**
 * What `aflora export --format` writes:
 * - "peft-lora": a standard LoRA adapter (λ folded into A and B) that
 *   `peft.PeftModel.from_pretrained(base, dir)` loads;
 * - "merged": a full model folder (`config.json` + `model.safetensors`, the adapter merged into
 *   W0) that `transformers.AutoModelForSequenceClassification.from_pretrained(dir)` loads;
 * - "peft-aflora": aflora's own adapter folder (PEFT layout with λ vectors and freeze steps),
 *   which `loadAdapter` restores exactly; PEFT itself has no ELoRA/AFLoRA type.
 */
export const EXPORT_FORMATS = ["peft-lora", "merged", "peft-aflora"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions extends PeftConfigOptions {
  /** "merged": the base model's Hugging Face `config.json` object, written beside the weights (required). */
  modelConfig?: Record<string, unknown>;
}

export interface ExportResult {
  format: ExportFormat;
  dir: string;
  /** Files written, relative to `dir`. */
  files: string[];
}

export const MERGED_WEIGHTS_FILE = "model.safetensors";
export const MERGED_CONFIG_FILE = "config.json";

/**
 * Writes `adapter` (attached to its model) in `format` into `dir`. Nothing is written when a
 * tensor holds NaN or ±Inf (a diverged run): the error names the tensor.
 */
export async function exportAdapter(
  adapter: AppliedAdapter,
  format: ExportFormat,
  dir: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  switch (format) {
    case "peft-lora":
      assertFinite(collect(adapter, [...adapter.parameterNames, ...adapter.savedParameters]), dir);
      await exportPeftLora(adapter, dir, options);
      return { format, dir, files: ["adapter_config.json", ADAPTER_WEIGHTS_FILE] };
    case "peft-aflora":
      assertFinite(collect(adapter, [...adapter.parameterNames, ...adapter.savedParameters]), dir);
      await saveAdapter(adapter, dir, options);
      return { format, dir, files: ["adapter_config.json", ADAPTER_WEIGHTS_FILE] };
    case "merged":
      return exportMerged(adapter, dir, options);
    default:
      throw new Error(`export format: expected one of ${EXPORT_FORMATS.join(", ")}, got ${JSON.stringify(format)}`);
  }
}

/**
 * The model with every adapter path folded into its W0, under the base model's Hugging Face
 * names and layouts (no adapter tensors), so Transformers loads it as a plain model. The
 * adapter is unmerged again afterwards when it was not merged before.
 */
async function exportMerged(adapter: AppliedAdapter, dir: string, options: ExportOptions): Promise<ExportResult> {
  if (!options.modelConfig) {
    throw new Error('export format "merged": options.modelConfig (the base model\'s config.json) is required');
  }
  const adapterNames = new Set(adapter.parameterNames);
  const names = adapter.params.names().filter((n) => !adapterNames.has(n));
  const wasMerged = adapter.merged;
  if (!wasMerged) adapter.merge();
  let tensors: Record<string, SafetensorsInput>;
  try {
    tensors = collect(adapter, names);
  } finally {
    if (!wasMerged) adapter.unmerge();
  }
  assertFinite(tensors, dir);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, MERGED_WEIGHTS_FILE), writeSafetensors(tensors, { format: "pt" }));
  await writeFileAtomic(join(dir, MERGED_CONFIG_FILE), `${JSON.stringify(options.modelConfig, null, 2)}\n`);
  return { format: "merged", dir, files: [MERGED_CONFIG_FILE, MERGED_WEIGHTS_FILE] };
}

function collect(adapter: AppliedAdapter, names: readonly string[]): Record<string, SafetensorsInput> {
  const out: Record<string, SafetensorsInput> = {};
  for (const n of names) out[n] = stateEntry(adapter.params, n);
  return out;
}

function assertFinite(tensors: Record<string, SafetensorsInput>, dir: string): void {
  const bad = firstNonFiniteArray(Object.entries(tensors) as [string, { data: ArrayLike<number> }][]);
  if (bad) {
    throw new Error(`export to ${dir}: "${bad}" holds NaN or infinite values (the run diverged); nothing was written`);
  }
}

/** The tensor names and shapes of an exported folder's weights file (for checks and listings). */
export async function exportedShapes(dir: string, file = ADAPTER_WEIGHTS_FILE): Promise<Record<string, number[]>> {
  const f = await readSafetensorsFile(join(dir, file));
  return Object.fromEntries([...f.tensors].map(([n, t]) => [n, t.shape]));
}
