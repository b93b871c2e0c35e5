import { describe, expect, it } from "vitest";
import { Rng } from "@aflora/core";
import { kthSmallest } from "./kth-smallest.js";

describe("kthSmallest", () => {
  it("agrees with a full sort on random pools with ties, zeros and NaN, for every k", () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + rng.int(200);
      const pool = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const r = rng.uniform();
        pool[i] = r < 0.3 ? 0 : r < 0.4 ? Math.fround(0.5) : r < 0.42 ? Number.NaN : Math.fround(rng.uniform() * 1e-3);
      }
      const sorted = pool.slice().sort();
      for (let k = 1; k <= n; k++) expect(kthSmallest(pool.slice(), k), `n ${n} k ${k}`).toBe(sorted[k - 1]);
    }
  });

  it("rejects k outside [1, N], like torch.kthvalue", () => {
    expect(() => kthSmallest(Float32Array.of(1, 2), 0)).toThrow("kthSmallest: k must be an integer in [1, 2], got 0");
    expect(() => kthSmallest(Float32Array.of(1, 2), 3)).toThrow(RangeError);
  });
});
