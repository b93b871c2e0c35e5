import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { paramsReport } from "@aflora/adapter";
import { markdownTable } from "@aflora/metrics";
import type { SuiteResult } from "./suite.js";

/**
 * DeBERTaV3-base shapes (the paper's model), written out so the check needs no download:
 * 12 layers, hidden 768, FFN 3072, vocabulary 128,100, 2 labels.
 */
const DEBERTA_V3_BASE = {
  model_type: "deberta-v2",
  vocab_size: 128100,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  max_position_embeddings: 512,
  type_vocab_size: 0,
  relative_attention: true,
  position_buckets: 256,
  max_relative_positions: -1,
  position_biased_input: false,
  pos_att_type: ["p2c", "c2p"],
  norm_rel_ebd: "layer_norm",
  share_att_key: true,
  pooler_hidden_size: 768,
  num_labels: 2,
};

/**
 * The paper's parameter counts (PAPER.md §1.4, §5.7, Table 1), classifier excluded:
 * AFLoRA r=4 starts at 451,872 (FFN A/B + every d, b) and ends at 83,232 (d, b only);
 * LoRA r=8 on the six projections is 1.33M; ELoRA r=1024 trains only d and b (0.16M with r=1024).
 */
const EXPECTED: { label: string; method: string; r?: number; field: "trainableWithoutHead" | "trainableAfterFreezing"; value: number; tolerance: number }[] = [
  { label: "AFLoRA r=4, start (FFN A/B + d, b)", method: "aflora", r: 4, field: "trainableWithoutHead", value: 451_872, tolerance: 0 },
  { label: "AFLoRA r=4, all A/B frozen (d, b)", method: "aflora", r: 4, field: "trainableAfterFreezing", value: 83_232, tolerance: 0 },
  { label: "LoRA r=8 (Table 1: 1.33M)", method: "lora", r: 8, field: "trainableWithoutHead", value: 1.33e6, tolerance: 0.005e6 },
  { label: "ELoRA r=1024 (Table 1: 0.16M)", method: "elora", r: 1024, field: "trainableWithoutHead", value: 0.16e6, tolerance: 0.005e6 },
];

export async function adapterSuite(fixtures: string): Promise<SuiteResult> {
  const custom = join(fixtures, "deberta-v3-base-config.json");
  const config = existsSync(custom) ? (JSON.parse(readFileSync(custom, "utf8")) as Record<string, unknown>) : DEBERTA_V3_BASE;
  let ok = true;
  const rows = EXPECTED.map((e) => {
    const report = paramsReport(config, { method: e.method, ...(e.r ? { r: e.r } : {}) }, "deberta-v3-base config");
    const got = e.field === "trainableWithoutHead" ? report.trainableWithoutHead : report.adapter.trainableAfterFreezing;
    const pass = Math.abs(got - e.value) <= e.tolerance;
    ok &&= pass;
    return [pass ? "PASS" : "FAIL", e.label, got.toLocaleString("en-US"), `${e.value.toLocaleString("en-US")}${e.tolerance ? ` ± ${e.tolerance.toLocaleString("en-US")}` : ""}`];
  });
  return { ok, text: markdownTable(["", "check (DeBERTaV3-base, classifier excluded)", "aflora", "paper"], rows) };
}
