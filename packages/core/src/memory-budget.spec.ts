import { describe, expect, it } from "vitest";
import { decideRecompute, ESTIMATE_SAFETY, tensorMemoryBudget, WASM32_HEAP_BYTES } from "./memory-budget.js";

const GiB = 2 ** 30;

describe("tensorMemoryBudget", () => {
  it("on wasm and native: the 4 GiB wasm32 heap less the live tensors and a 256 MiB margin", () => {
    for (const backend of ["wasm", "native"]) {
      const b = tensorMemoryBudget(backend, 1 * GiB, 100 * GiB);
      expect(b.bytes).toBe(WASM32_HEAP_BYTES - GiB - 256 * 2 ** 20);
      expect(b.basis).toBe("wasm32 heap 4 GiB − 1.00 GiB live tensors − 0.25 GiB margin");
    }
  });

  it("elsewhere: the machine's free memory less the margin, never negative", () => {
    expect(tensorMemoryBudget("tensorflow", 5 * GiB, 8 * GiB).bytes).toBe(8 * GiB - 256 * 2 ** 20);
    expect(tensorMemoryBudget("cpu", 0, 0).bytes).toBe(0);
    expect(tensorMemoryBudget("wasm", 5 * GiB, 0).bytes).toBe(0);
  });
});

describe("decideRecompute", () => {
  const budget = { bytes: 2 * GiB, basis: "test budget" };

  it("keeps a configured choice whatever the estimate", () => {
    expect(decideRecompute(true, 1, budget)).toEqual({ recompute: true, reason: "recompute: true (configured)" });
    expect(decideRecompute(false, 100 * GiB, budget).recompute).toBe(false);
  });

  it(`"auto" runs the whole graph while estimate × ${ESTIMATE_SAFETY} fits, and says why`, () => {
    const fits = decideRecompute("auto", (2 * GiB) / ESTIMATE_SAFETY, budget);
    expect(fits).toEqual({
      recompute: false,
      reason: "whole graph: activations est. 2.00 GiB ≤ 2.00 GiB (test budget)",
    });
    const over = decideRecompute("auto", (2 * GiB) / ESTIMATE_SAFETY + 1024, budget);
    expect(over.recompute).toBe(true);
    expect(over.reason).toMatch(/^per-layer recomputation: activations est\. 2\.00 GiB > 2\.00 GiB \(test budget\)$/);
  });
});
