// Thin adapter over @aflora/adapter's PEFT writer.
import { saveAdapter, type AppliedAdapter } from "@aflora/adapter";
import type { ParameterRegistry } from "@aflora/core";
import type { RunConfig } from "../config/schema.js";

/**
 * DeBERTa-v2/v3 checkpoints ship no `pooler.dense` (Transformers draws it at random on load, and
 * it stays frozen under PEFT), so the adapter folder must carry it or a reloaded model has
 * another pooler. BERT's pooler is in its checkpoint (`bert.pooler.*`) and needs no copy.
 */
export function modulesToCarry(params: ParameterRegistry): string[] {
  return params.has("pooler.dense.weight") ? ["pooler"] : [];
}

/** Writes the trained adapter in the Hugging Face PEFT layout (adapter_config.json + adapter_model.safetensors). */
export async function saveRunAdapter(adapter: AppliedAdapter, dir: string, config: RunConfig): Promise<void> {
  await saveAdapter(adapter, dir, {
    baseModelNameOrPath: config.model === "demo" ? null : config.model,
    taskType: "SEQ_CLS",
    alsoSave: modulesToCarry(adapter.params),
  });
}
