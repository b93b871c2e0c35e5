/** Where an adapter matrix sits in the paper's freezing heatmap: layer × module × {A, B}. */
export interface MatrixPosition {
  layer: number;
  module: "q" | "k" | "v" | "o" | "inter" | "out";
  matrix: "A" | "B";
}

export const HEATMAP_MODULES = ["q", "k", "v", "o", "inter", "out"] as const;

/**
 * Reads a Hugging Face / PEFT parameter name such as
 * `deberta.encoder.layer.3.attention.self.query_proj.lora_A.weight` (DeBERTa) or
 * `bert.encoder.layer.0.attention.output.dense.lora_B.weight` (BERT, RoBERTa).
 * Returns null for anything that is not a projection matrix A or B of a known module.
 */
export function matrixPosition(name: string): MatrixPosition | null {
  const layer = /(?:^|\.)layer\.(\d+)\./.exec(name);
  const mat = /\.lora_([AB])(?:\.|$)/.exec(name);
  if (!layer || !mat) return null;
  const rest = name.slice(layer.index + layer[0].length);
  let module: MatrixPosition["module"] | null = null;
  if (/^attention\.self\.(query_proj|query)\./.test(rest)) module = "q";
  else if (/^attention\.self\.(key_proj|key)\./.test(rest)) module = "k";
  else if (/^attention\.self\.(value_proj|value)\./.test(rest)) module = "v";
  else if (/^attention\.output\.dense\./.test(rest)) module = "o";
  else if (/^intermediate\.dense\./.test(rest)) module = "inter";
  else if (/^output\.dense\./.test(rest)) module = "out";
  if (!module) return null;
  return { layer: Number(layer[1]), module, matrix: mat[1] as "A" | "B" };
}
