import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEBERTA_V3_BASE_CONFIG, PAPER_PARAM_COUNTS, runParamsRepro } from "./params-suite.js";

describe("runParamsRepro", () => {
  it("matches the paper's counts on DeBERTaV3-base (451,872 → 83,232; LoRA 1.33M; ELoRA 0.16M)", () => {
    const r = runParamsRepro();
    expect(r.ok).toBe(true);
    expect(r.text).toContain("| PASS | AFLoRA r=4, start (FFN A/B + d, b) | 451,872 | 451,872 |");
    expect(r.text).toContain("| PASS | AFLoRA r=4, all A/B frozen (d, b) | 83,232 | 83,232 |");
    expect(r.text).toContain("| PASS | LoRA r=8 (Table 1: 1.33M) | 1,327,104 |");
    expect(r.text).toContain("| PASS | ELoRA r=1024 (Table 1: 0.16M) | 156,672 |");
    expect(r.text).not.toContain("FAIL");
  });

  it("reports a count that differs from the expected one as FAIL", () => {
    const wrong = PAPER_PARAM_COUNTS.map((c, i) => (i === 1 ? { ...c, value: 83_233 } : c));
    const r = runParamsRepro(undefined, wrong);
    expect(r.ok).toBe(false);
    expect(r.text).toContain("| FAIL | AFLoRA r=4, all A/B frozen (d, b) | 83,232 | 83,233 |");
    expect(r.text.match(/\| PASS \|/g)).toHaveLength(3);
  });

  it("uses deberta-v3-base-config.json from the fixtures folder when present, and names it in errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "params-repro-"));
    writeFileSync(
      join(dir, "deberta-v3-base-config.json"),
      JSON.stringify({ ...DEBERTA_V3_BASE_CONFIG, num_hidden_layers: 6 }),
    );
    const r = runParamsRepro(dir);
    expect(r.ok).toBe(false);
    // 6 layers: half of every count (the adapter lives in the layers only).
    expect(r.text).toContain("| FAIL | AFLoRA r=4, start (FFN A/B + d, b) | 225,936 |");
    writeFileSync(join(dir, "deberta-v3-base-config.json"), "{ not json");
    expect(() => runParamsRepro(dir)).toThrow(join(dir, "deberta-v3-base-config.json"));
  });
});
