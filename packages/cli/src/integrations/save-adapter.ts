// Thin adapter over @aflora/adapter's PEFT writer.
import { saveAdapter, type AppliedAdapter } from "@aflora/adapter";
import type { RunConfig } from "../config/schema.js";

/** Writes the trained adapter in the Hugging Face PEFT layout (adapter_config.json + adapter_model.safetensors). */
export async function saveRunAdapter(adapter: AppliedAdapter, dir: string, config: RunConfig): Promise<void> {
  await saveAdapter(adapter, dir, { baseModelNameOrPath: config.model === "demo" ? null : config.model, taskType: "SEQ_CLS" });
}
