import { describe, expect, it } from "vitest";
import { accuracy, f1, matthewsCorrelation } from "./classification.js";
import { averageRanks, pearson, spearman } from "./correlation.js";
import { computeTaskMetrics, glueMetricConfig, selectionMetric } from "./task-metrics.js";

// Hand-computed case: TP=1 (i=1), TN=2 (i=0,3), FP=2 (i=2,4), FN=0.
const preds = [0, 1, 1, 0, 1];
const labels = [0, 1, 0, 0, 0];

describe("classification metrics", () => {
  it("accuracy and binary F1 of class 1", () => {
    expect(accuracy(preds, labels)).toBe(0.6);
    // F1 = 2·TP / (2·TP + FP + FN) = 2 / 4
    expect(f1(preds, labels)).toBe(0.5);
    expect(f1([0, 0], [0, 0])).toBe(0);
    expect(f1([1, 1], [1, 1])).toBe(1);
  });

  it("Matthews correlation, binary and multiclass", () => {
    // (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = 2 / √24
    expect(matthewsCorrelation(preds, labels)).toBeCloseTo(2 / Math.sqrt(24), 12);
    expect(matthewsCorrelation([0, 1, 0, 1], [0, 1, 0, 1])).toBe(1);
    expect(matthewsCorrelation([1, 0, 1, 0], [0, 1, 0, 1])).toBe(-1);
    // multiclass (scikit-learn's covariance form): c=3, s=6, Σt·p=12, Σp²=14, Σt²=12 → 6/√(24·22)
    expect(matthewsCorrelation([0, 2, 1, 0, 0, 2], [0, 1, 2, 0, 1, 2])).toBeCloseTo(6 / Math.sqrt(528), 12);
  });

  it("constant predictions or labels give Matthews 0, not NaN", () => {
    expect(matthewsCorrelation([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0);
    expect(matthewsCorrelation([0, 0, 0], [0, 1, 1])).toBe(0);
    expect(matthewsCorrelation([0, 1, 1], [1, 1, 1])).toBe(0);
  });

  it("rejects length mismatches and empty inputs with one clear error", () => {
    expect(() => accuracy([0, 1], [0])).toThrow("accuracy: 2 predictions but 1 labels");
    expect(() => f1([], [])).toThrow("f1: no examples to score");
  });
});

describe("correlation metrics", () => {
  it("Pearson r", () => {
    // dx = (−1.5,−.5,.5,1.5), dy = (−3,−1,0,4): Σdxdy = 11, Σdx² = 5, Σdy² = 26
    expect(pearson([1, 2, 3, 4], [2, 4, 5, 9])).toBeCloseTo(11 / Math.sqrt(130), 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    // constant input: NaN with a warning, as scipy
    const warnings: string[] = [];
    expect(pearson([2, 2, 2], [1, 2, 3], { warn: (m) => warnings.push(m) })).toBeNaN();
    expect(warnings).toEqual([
      "pearson: an input array is constant; the correlation coefficient is not defined (NaN, as in scipy)",
    ]);
  });

  it("average ranks for ties and Spearman rho", () => {
    expect(Array.from(averageRanks([10, 20, 20, 30, 20]))).toEqual([1, 3, 3, 5, 3]);
    // ranks (1, 2.5, 2.5, 4) vs (1, 3, 2, 4): Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(4.5 / Math.sqrt(22.5), 12);
    expect(spearman([1, 5, 9, 200], [0.1, 0.2, 0.3, 0.4])).toBeCloseTo(1, 12);
    expect(spearman([1, Number.NaN], [1, 2])).toBeNaN();
  });
});

describe("computeTaskMetrics", () => {
  it("reports HF names and combined_score when there is more than one metric", () => {
    expect(computeTaskMetrics("mrpc", preds, labels)).toEqual({ accuracy: 0.6, f1: 0.5, combined_score: 0.55 });
    expect(computeTaskMetrics("cola", preds, labels)).toEqual({
      matthews_correlation: matthewsCorrelation(preds, labels),
    });
    expect(computeTaskMetrics("SST-2", preds, labels)).toEqual({ accuracy: 0.6 });
    const stsb = computeTaskMetrics("STS-B", [1, 2, 3, 4], [2, 4, 5, 9]);
    expect(stsb.pearson).toBeCloseTo(11 / Math.sqrt(130), 12);
    expect(stsb.spearmanr).toBe(1);
    expect(stsb.combined_score).toBeCloseTo((11 / Math.sqrt(130) + 1) / 2, 12);
  });

  it("custom metric lists and bad names", () => {
    expect(
      computeTaskMetrics({ metrics: ["f1", "matthews_correlation"], selectionMetric: "f1" }, [1, 0], [1, 0]),
    ).toEqual({
      f1: 1,
      matthews_correlation: 1,
      combined_score: 1,
    });
    expect(() => computeTaskMetrics({ metrics: ["auc" as never], selectionMetric: "auc" }, [1], [1])).toThrow(
      'unknown metric "auc"',
    );
    expect(() => computeTaskMetrics("squad", [1], [1])).toThrow('Unknown GLUE task "squad"');
  });

  it("selects checkpoints on the authors' metric per task", () => {
    expect(selectionMetric("cola")).toBe("matthews_correlation");
    expect(selectionMetric("mrpc")).toBe("f1");
    expect(selectionMetric("stsb")).toBe("pearson");
    for (const t of ["sst2", "qnli", "rte", "wnli", "mnli", "qqp"]) expect(selectionMetric(t)).toBe("accuracy");
    expect(glueMetricConfig("MNLI-mm")).toBe("mnli_mismatched");
  });
});
