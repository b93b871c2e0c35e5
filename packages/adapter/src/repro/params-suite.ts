import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { paramsReport } from "../report/params-report.js";
import { reproTable } from "./repro-table.js";

/**
 * DeBERTaV3-base shapes (the paper's model), written out so the check needs no download:
 * 12 layers, hidden 768, FFN 3072, vocabulary 128,100, 2 labels.
 */
export const DEBERTA_V3_BASE_CONFIG: Readonly<Record<string, unknown>> = {
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

/** One published count: which method and rank, which number of the report, the paper's value. */
export interface ParamCountCheck {
  label: string;
  method: "aflora" | "lora" | "elora";
  r: number;
  /** `start`: trainable with the classifier excluded; `afterFreezing`: once every A/B is frozen. */
  field: "start" | "afterFreezing";
  value: number;
  /** Absolute tolerance: 0 for exact counts, half the last printed digit for Table 1's rounded "M" values. */
  tolerance: number;
}

/**
 * The paper's parameter counts (PAPER.md §1.4, §5.7, Table 1), classifier excluded:
 * AFLoRA r=4 starts at 451,872 (FFN A/B + every d, b) and ends at 83,232 (d, b only);
 * LoRA r=8 on the six projections is 1.33M; ELoRA r=1024 trains only d and b (0.16M).
 */
export const PAPER_PARAM_COUNTS: readonly ParamCountCheck[] = [
  { label: "AFLoRA r=4, start (FFN A/B + d, b)", method: "aflora", r: 4, field: "start", value: 451_872, tolerance: 0 },
  {
    label: "AFLoRA r=4, all A/B frozen (d, b)",
    method: "aflora",
    r: 4,
    field: "afterFreezing",
    value: 83_232,
    tolerance: 0,
  },
  { label: "LoRA r=8 (Table 1: 1.33M)", method: "lora", r: 8, field: "start", value: 1.33e6, tolerance: 0.005e6 },
  {
    label: "ELoRA r=1024 (Table 1: 0.16M)",
    method: "elora",
    r: 1024,
    field: "start",
    value: 0.16e6,
    tolerance: 0.005e6,
  },
];

export interface ParamsReproResult {
  ok: boolean;
  /** Markdown: one PASS/FAIL row per count. */
  text: string;
}

/** The file in `fixturesDir` that replaces the built-in DeBERTaV3-base shapes when present. */
export const PARAMS_REPRO_CONFIG_FILE = "deberta-v3-base-config.json";

/**
 * Counts the trainable parameters of AFLoRA, LoRA and ELoRA on DeBERTaV3-base from its config
 * alone and compares them with the paper's. A `deberta-v3-base-config.json` in `fixturesDir`
 * (e.g. the model's real config.json) replaces the built-in shapes.
 */
export function runParamsRepro(
  fixturesDir?: string,
  expected: readonly ParamCountCheck[] = PAPER_PARAM_COUNTS,
): ParamsReproResult {
  const custom = fixturesDir === undefined ? null : join(fixturesDir, PARAMS_REPRO_CONFIG_FILE);
  const useCustom = custom !== null && existsSync(custom);
  const config = useCustom ? readFileSync(custom, "utf8") : DEBERTA_V3_BASE_CONFIG;
  const source = useCustom ? custom : "built-in deberta-v3-base config";
  let ok = true;
  const rows = expected.map((e) => {
    const report = paramsReport(config, { method: e.method, r: e.r }, source);
    const got = e.field === "start" ? report.trainableWithoutHead : report.adapter.trainableAfterFreezing;
    const pass = Math.abs(got - e.value) <= e.tolerance;
    ok &&= pass;
    const want = e.value.toLocaleString("en-US") + (e.tolerance ? ` ± ${e.tolerance.toLocaleString("en-US")}` : "");
    return [pass ? "PASS" : "FAIL", e.label, got.toLocaleString("en-US"), want];
  });
  const text = [
    `model: ${source}`,
    "",
    reproTable(["", "check (DeBERTaV3-base, classifier excluded)", "aflora", "paper"], rows),
  ].join("\n");
  return { ok, text };
}
