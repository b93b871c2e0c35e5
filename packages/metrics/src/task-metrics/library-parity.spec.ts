import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { accuracy, F1_AVERAGES, f1, matthewsCorrelation } from "./classification.js";
import { pearson, spearman } from "./correlation.js";
import { computeTaskMetrics, glueMetricConfig } from "./task-metrics.js";

/** Values from scipy 1.10 / scikit-learn 1.2 (tools/fixtures/metric_fixtures.py); NaN is stored as "NaN". */
type Num = number | "NaN";
interface Outcome {
  value?: Num;
  warning?: string;
  error?: string;
}
interface Fixture {
  correlation: {
    name: string;
    predictions: Num[];
    labels: Num[];
    pearson: Outcome;
    spearmanr: Outcome;
    exact_pearson?: Num;
  }[];
  classification: {
    name: string;
    predictions: Num[];
    labels: Num[];
    accuracy: Outcome;
    matthews_correlation: Outcome;
    f1: Record<string, Outcome>;
  }[];
  glue: { config: string; predictions: Num[]; labels: Num[]; expected: Record<string, Num>; warnings: string[] }[];
}
const path = new URL("../../../../fixtures/metrics/task-metrics.json", import.meta.url).pathname;
const fixture = JSON.parse(readFileSync(path, "utf8")) as Fixture;
const num = (v: Num | undefined) => (v === "NaN" ? Number.NaN : v!);
const nums = (a: Num[]) => a.map(num);

/** The library's outcome: the same value (1e-12 relative, NaN for NaN), a warning where it warned, an error where it raised. */
function expectOutcome(run: (warn: (m: string) => void) => number, want: Outcome, what: string): void {
  const warnings: string[] = [];
  if (want.error !== undefined) {
    expect(() => run((m) => warnings.push(m)), `${what} should raise like the library ("${want.error}")`).toThrow();
    return;
  }
  const got = run((m) => warnings.push(m));
  const value = num(want.value);
  if (Number.isNaN(value)) expect(got, what).toBeNaN();
  else
    expect(Math.abs(got - value), `${what}: ${got} vs ${value}`).toBeLessThanOrEqual(
      1e-12 * Math.max(1, Math.abs(value)),
    );
  if (want.warning !== undefined && Number.isNaN(value))
    expect(warnings.length, `${what} warns ("${want.warning}")`).toBeGreaterThan(0);
}

describe("correlations against scipy", () => {
  for (const c of fixture.correlation) {
    it(c.name, () => {
      const p = nums(c.predictions);
      const l = nums(c.labels);
      const exact = c.exact_pearson === undefined ? undefined : num(c.exact_pearson);
      const pear = c.pearson;
      // Where scipy itself drifts from the exact value (offsets, near-constant input), hold aflora to the exact one.
      const scipyDrift =
        exact !== undefined && pear.value !== undefined && Math.abs(num(pear.value) - exact) > 1e-12 * Math.abs(exact);
      expectOutcome((warn) => pearson(p, l, { warn }), scipyDrift ? { value: exact } : pear, "pearson");
      if (exact !== undefined && !Number.isNaN(exact)) {
        expect(Math.abs(pearson(p, l) - exact), "pearson vs exact arithmetic").toBeLessThanOrEqual(
          1e-12 * Math.abs(exact),
        );
      }
      expectOutcome((warn) => spearman(p, l, { warn }), c.spearmanr, "spearmanr");
    });
  }

  it("covers the degenerate cases of the issue", () => {
    const names = fixture.correlation.map((c) => c.name);
    for (const n of ["constant predictions", "constant labels", "scale 1e-170", "scale 1e300", "offset 1e12", "ties 0"])
      expect(names).toContain(n);
  });
});

describe("classification metrics against scikit-learn", () => {
  for (const c of fixture.classification) {
    it(c.name, () => {
      const p = nums(c.predictions);
      const l = nums(c.labels);
      expectOutcome(() => accuracy(p, l), c.accuracy, "accuracy");
      expectOutcome(() => matthewsCorrelation(p, l), c.matthews_correlation, "matthews_correlation");
      for (const average of F1_AVERAGES)
        expectOutcome((warn) => f1(p, l, { average, warn }), c.f1[average]!, `f1 ${average}`);
    });
  }

  it("names the problem in one clear error", () => {
    expect(() => f1([0, 1, 2], [0, 1, 1])).toThrow(
      /f1: the labels and predictions hold 3 classes \(0, 1, 2\) but average is "binary"; choose average "macro", "micro" or "weighted"/,
    );
    expect(() => f1([3, 7], [7, 3])).toThrow(
      /f1: average "binary" scores class 1, which is not among the classes 3, 7/,
    );
    expect(() => accuracy([0, 1, 1], [0, Number.NaN, 1])).toThrow(
      "accuracy: labels[1] is NaN; class ids must be integers",
    );
    expect(() => matthewsCorrelation([0, 0.5], [0, 1])).toThrow(
      "matthews_correlation: predictions[1] is 0.5; class ids must be integers",
    );
    expect(() => f1([0, 1], [0, 1], { average: "samples" as never })).toThrow('f1: unknown average "samples"');
  });
});

describe("HF glue metric configurations", () => {
  for (const g of fixture.glue) {
    it(`${g.config}${g.warnings.length ? ` (warns on ${g.warnings.join(", ")})` : ""}`, () => {
      const warnings: string[] = [];
      const got = computeTaskMetrics(g.config, nums(g.predictions), nums(g.labels), { warn: (m) => warnings.push(m) });
      expect(Object.keys(got).sort()).toEqual(Object.keys(g.expected).sort());
      for (const [k, v] of Object.entries(g.expected)) {
        if (v === "NaN") expect(got[k], k).toBeNaN();
        else expect(Math.abs(got[k]! - v), k).toBeLessThanOrEqual(1e-12);
      }
      expect(warnings.map((w) => w.split(":")[0]).sort()).toEqual(g.warnings);
    });
  }

  it("accepts hans and refuses ax, as HF's glue metric does", () => {
    expect(glueMetricConfig("hans")).toBe("hans");
    expect(() => glueMetricConfig("ax")).toThrow(/GLUE task "ax" has no metric: Hugging Face's glue metric refuses it/);
  });
});
