import { stepFlops } from "../flops/step-flops.js";
import type { EncoderShape } from "../flops/shapes.js";
import { markdownTable } from "../report/format.js";
import { accuracy, f1, matthewsCorrelation } from "../task-metrics/classification.js";
import { pearson, spearman } from "../task-metrics/correlation.js";
import { GLUE_METRIC_CONFIGS, glueMetricConfig, selectionMetric } from "../task-metrics/task-metrics.js";

const PRED = [1, 0, 1, 1, 0, 1];
const GOLD = [1, 0, 0, 1, 0, 0];
const X = [1, 2, 3, 4];
const Y = [2, 4, 5, 4];

/**
 * Values worked out by hand (TP 2, FP 2, FN 0, TN 2; x̄ 2.5, ȳ 3.75, Σdxdy 3.5, Σdx² 5, Σdy² 4.75;
 * Spearman on ranks [1, 2.5, 4, 2.5]), each to 1e-12.
 */
const DEFINITIONS: [string, () => number, number][] = [
  ["accuracy = 4/6", () => accuracy(PRED, GOLD), 4 / 6],
  ["F1 = 2TP/(2TP+FP+FN) = 4/6", () => f1(PRED, GOLD), 4 / 6],
  ["Matthews = (TP·TN−FP·FN)/√((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = 4/8", () => matthewsCorrelation(PRED, GOLD), 0.5],
  ["Pearson = 3.5/√(5·4.75)", () => pearson(X, Y), 3.5 / Math.sqrt(5 * 4.75)],
  ["Spearman = 3/√(5·4.5)", () => spearman(X, Y), 3 / Math.sqrt(5 * 4.5)],
];

/** The authors' best-model selection metric per task (glue/utils.py task_to_best_metric; PAPER.md §6). */
export const AUTHORS_SELECTION_METRICS: Readonly<Record<string, string>> = {
  cola: "matthews_correlation",
  sst2: "accuracy",
  mrpc: "f1",
  qnli: "accuracy",
  stsb: "pearson",
  rte: "accuracy",
  mnli: "accuracy",
  qqp: "accuracy",
};

/** DeBERTaV3-base at the paper's batch 64 × 256 tokens. */
const DEBERTA_V3_BASE: EncoderShape = {
  layers: 12,
  hidden: 768,
  heads: 12,
  ffn: 3072,
  seq: 256,
  batch: 64,
  labels: 2,
  relativePositions: { span: 256 },
};

export interface MetricsReproExpected {
  /** Task → the metric that selects the best checkpoint. */
  selection: Readonly<Record<string, string>>;
}

export interface MetricsReproResult {
  ok: boolean;
  /** Markdown: metric definitions, selection metric per task, FLOPs per step (informational). */
  text: string;
}

/**
 * Ties @aflora/metrics to the paper and the authors' code: the GLUE metric definitions against
 * hand-computed values, the selection metric of every task, and the FLOPs of one training step
 * beside the paper's 2.96× ELoRA/AFLoRA claim (informational: it never fails the suite).
 */
export function runMetricsRepro(
  expected: MetricsReproExpected = { selection: AUTHORS_SELECTION_METRICS },
): MetricsReproResult {
  let ok = true;
  const defRows = DEFINITIONS.map(([label, f, want]) => {
    const got = f();
    const pass = Math.abs(got - want) <= 1e-12;
    ok &&= pass;
    return [pass ? "PASS" : "FAIL", label, got.toFixed(6), want.toFixed(6)];
  });
  const selRows = Object.entries(expected.selection).map(([task, want]) => {
    const got = selectionMetric(task);
    const reported: readonly string[] = GLUE_METRIC_CONFIGS[glueMetricConfig(task)].metrics;
    const pass = got === want && reported.includes(want);
    ok &&= pass;
    return [pass ? "PASS" : "FAIL", task, got, want];
  });
  const ffnOnly = (_layer: number, role: string) => role === "int" || role === "out";
  const flops = {
    "AFLoRA r=4, start (FFN A/B trainable)": stepFlops(DEBERTA_V3_BASE, {
      kind: "vector",
      r: 4,
      matrixTrainable: ffnOnly,
    }).total,
    "AFLoRA r=4, all A/B frozen": stepFlops(DEBERTA_V3_BASE, { kind: "vector", r: 4 }).total,
    "LoRA r=8": stepFlops(DEBERTA_V3_BASE, { kind: "lora", r: 8 }).total,
    "ELoRA r=1024": stepFlops(DEBERTA_V3_BASE, { kind: "vector", r: 1024 }).total,
  };
  const elora = flops["ELoRA r=1024"];
  const flopRows = Object.entries(flops).map(([k, v]) => [k, `${(v / 1e12).toFixed(3)} TFLOP`, (v / elora).toFixed(2)]);
  const text = [
    "## Metric definitions (hand-computed values)",
    "",
    markdownTable(["", "definition", "aflora", "by hand"], defRows),
    "",
    "## Best-model selection metric per GLUE task (authors' code)",
    "",
    markdownTable(["", "task", "aflora", "authors"], selRows),
    "",
    "## FLOPs of one training step (DeBERTaV3-base, batch 64 × 256 tokens), informational",
    "",
    markdownTable(["method", "matmul FLOPs", "relative to ELoRA"], flopRows),
    "",
    `The paper reports 2.96× fewer FLOPs for AFLoRA than ELoRA (figs/system.png bars: AFLoRA 0.34, LoRA 0.34, ELoRA 1.00); the formula gives ${(elora / flops["AFLoRA r=4, all A/B frozen"]).toFixed(2)}× once the A/B matrices are frozen.`,
  ].join("\n");
  return { ok, text };
}
