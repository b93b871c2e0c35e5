// Full fine-tuning trains the whole model: it is saved as a Hugging Face model folder.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync, writeSafetensors, type ParameterRegistry, type SafetensorsInput } from "@aflora/core";

/** Writes `config.json` and `model.safetensors` (Hugging Face names and layouts) into `dir`. */
export function saveModelFolder(params: ParameterRegistry, modelConfig: Record<string, unknown>, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const tensors: Record<string, SafetensorsInput> = {};
  for (const name of params.names()) {
    const t = params.stateValue(name);
    try {
      tensors[name] = { dtype: "F32", shape: [...t.shape], data: t.dataSync() as Float32Array };
    } finally {
      t.dispose();
    }
  }
  writeFileAtomicSync(join(dir, "model.safetensors"), writeSafetensors(tensors, { format: "pt" }));
  writeFileAtomicSync(join(dir, "config.json"), JSON.stringify(modelConfig, null, 2) + "\n");
}
