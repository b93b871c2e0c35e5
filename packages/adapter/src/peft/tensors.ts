import type { ParameterRegistry, SafetensorsInput } from "@aflora/core";

/** A registry value in Hugging Face layout, as a safetensors F32 entry. */
export function stateEntry(params: ParameterRegistry, name: string): SafetensorsInput {
  const t = params.stateValue(name);
  try {
    return { dtype: "F32", shape: [...t.shape], data: t.dataSync() as Float32Array };
  } finally {
    t.dispose();
  }
}
