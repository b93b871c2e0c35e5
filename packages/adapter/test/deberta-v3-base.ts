import type { ModuleSpec } from "../src/base/module-spec.js";

/** microsoft/deberta-v3-base config numbers (PAPER.md §1.2): the same shapes the params repro suite counts. */
export { DEBERTA_V3_BASE_CONFIG } from "../src/repro/params-suite.js";

/** Every Linear of DebertaV2ForSequenceClassification(deberta-v3-base), HF names, written out from the config. */
export function debertaV3BaseModules(numLabels = 2): ModuleSpec[] {
  const H = 768;
  const I = 3072;
  const out: ModuleSpec[] = [];
  for (let i = 0; i < 12; i++) {
    const p = `deberta.encoder.layer.${i}`;
    for (const n of ["query_proj", "key_proj", "value_proj"])
      out.push({ name: `${p}.attention.self.${n}`, inFeatures: H, outFeatures: H });
    out.push({ name: `${p}.attention.output.dense`, inFeatures: H, outFeatures: H });
    out.push({ name: `${p}.intermediate.dense`, inFeatures: H, outFeatures: I });
    out.push({ name: `${p}.output.dense`, inFeatures: I, outFeatures: H });
  }
  out.push({ name: "pooler.dense", inFeatures: H, outFeatures: H });
  out.push({ name: "classifier", inFeatures: H, outFeatures: numLabels });
  return out;
}
