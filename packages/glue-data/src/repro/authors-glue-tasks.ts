import type { GlueTaskName } from "../tasks/glue-tasks.js";

/** What the authors' code (HF run_glue + glue/utils.py) uses for one GLUE task. */
export interface GlueTaskExpectation {
  /** Class names in label-id order (the `glue` dataset's ClassLabel), null for regression. */
  labels: readonly string[] | null;
  /** 1 for single-sentence tasks, 2 for sentence pairs (run_glue's task_to_keys). */
  textFields: number;
  /** What HF's `glue` metric reports for the task. */
  metrics: readonly string[];
  /** task_to_best_metric (PAPER.md §6), without the `eval_` prefix. */
  selection: string;
  /** Evaluation splits' metric suffixes: MNLI's matched carries selection, mismatched gets "_mm". */
  evalSuffixes: readonly string[];
  /**
   * Metrics of the small prediction set of `glueDataReproPredictions(task)` worked out by hand;
   * `combined_score` is their mean when the task reports more than one metric.
   */
  handMetrics: Readonly<Record<string, number>>;
}

// Binary set: TP 2, FP 2, FN 0, TN 2 → accuracy 4/6, F1 2·2/(2·2+2+0) = 4/6, Matthews (4−0)/√(4·2·4·2) = 1/2.
const BINARY_ACC = { accuracy: 4 / 6 };
// Three classes: positions 0, 1, 2 and 4 right → 4/6.
const MNLI_ACC = { accuracy: 4 / 6 };
// x̄ 2.5, ȳ 3.75, Σdxdy 3.5, Σdx² 5, Σdy² 4.75; Spearman on ranks of y [1, 2.5, 4, 2.5]: Σ 3 / √(5·4.5).
const STSB_PEARSON = 3.5 / Math.sqrt(5 * 4.75);
const STSB_SPEARMAN = 3 / Math.sqrt(5 * 4.5);

const single = { textFields: 1, evalSuffixes: [""] };
const pair = { textFields: 2, evalSuffixes: [""] };
const accuracyOnly = { metrics: ["accuracy"], selection: "accuracy" };

/** The nine GLUE tasks as the authors' code sees them (PAPER.md §6; WNLI is not in the paper). */
export const AUTHORS_GLUE_TASKS: Readonly<Record<GlueTaskName, GlueTaskExpectation>> = {
  cola: {
    ...single,
    labels: ["unacceptable", "acceptable"],
    metrics: ["matthews_correlation"],
    selection: "matthews_correlation",
    handMetrics: { matthews_correlation: 0.5 },
  },
  sst2: { ...single, ...accuracyOnly, labels: ["negative", "positive"], handMetrics: BINARY_ACC },
  mrpc: {
    ...pair,
    labels: ["not_equivalent", "equivalent"],
    metrics: ["accuracy", "f1"],
    selection: "f1",
    handMetrics: { accuracy: 4 / 6, f1: 4 / 6, combined_score: 4 / 6 },
  },
  qqp: {
    ...pair,
    labels: ["not_duplicate", "duplicate"],
    metrics: ["accuracy", "f1"],
    selection: "accuracy",
    handMetrics: { accuracy: 4 / 6, f1: 4 / 6, combined_score: 4 / 6 },
  },
  stsb: {
    ...pair,
    labels: null,
    metrics: ["pearson", "spearmanr"],
    selection: "pearson",
    handMetrics: {
      pearson: STSB_PEARSON,
      spearmanr: STSB_SPEARMAN,
      combined_score: (STSB_PEARSON + STSB_SPEARMAN) / 2,
    },
  },
  mnli: {
    ...pair,
    ...accuracyOnly,
    labels: ["entailment", "neutral", "contradiction"],
    evalSuffixes: ["", "_mm"],
    handMetrics: MNLI_ACC,
  },
  qnli: { ...pair, ...accuracyOnly, labels: ["entailment", "not_entailment"], handMetrics: BINARY_ACC },
  rte: { ...pair, ...accuracyOnly, labels: ["entailment", "not_entailment"], handMetrics: BINARY_ACC },
  wnli: { ...pair, ...accuracyOnly, labels: ["not_entailment", "entailment"], handMetrics: BINARY_ACC },
};

/** The small prediction set scored by the suite: [predictions, gold] for a task with `numLabels` outputs. */
export function glueDataReproPredictions(numLabels: number): [number[], number[]] {
  if (numLabels === 1)
    return [
      [1, 2, 3, 4],
      [2, 4, 5, 4],
    ];
  if (numLabels === 3)
    return [
      [0, 1, 2, 2, 1, 0],
      [0, 1, 2, 1, 1, 2],
    ];
  return [
    [1, 0, 1, 1, 0, 1],
    [1, 0, 0, 1, 0, 0],
  ];
}
