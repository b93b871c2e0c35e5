import { describe, expect, it } from "vitest";
import { Rng } from "./rng.js";
import { kaimingUniform } from "./kaiming.js";

describe("Rng", () => {
  it("is deterministic per seed and round-trips its state", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    expect(Array.from({ length: 5 }, () => a.uniform())).toEqual(Array.from({ length: 5 }, () => b.uniform()));
    a.normal();
    const saved = a.getState();
    const next = [a.normal(), a.uniform(), a.normal()];
    const c = new Rng(7);
    c.setState(saved);
    expect([c.normal(), c.uniform(), c.normal()]).toEqual(next);
    expect(new Rng(1).uniform()).not.toEqual(new Rng(2).uniform());
  });

  it("has the moments of its distributions", () => {
    const r = new Rng(3);
    const n = 20000;
    const u = r.uniformArray(n, 0, 1);
    const z = r.normalArray(n);
    const mean = (x: Float32Array) => x.reduce((s, v) => s + v, 0) / x.length;
    expect(mean(u)).toBeCloseTo(0.5, 1);
    expect(mean(z)).toBeCloseTo(0, 1);
    expect(mean(z.map((v) => v * v))).toBeCloseTo(1, 1);
  });

  it("kaimingUniform stays inside ±√(6/fan_in)", () => {
    const w = kaimingUniform(4 * 768, 768, new Rng(0));
    const bound = Math.sqrt(6 / 768);
    expect(Math.max(...w)).toBeLessThanOrEqual(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    expect(Math.max(...w)).toBeGreaterThan(0.9 * bound);
  });

  it("forks independent, reproducible streams", () => {
    const r = new Rng(5);
    expect(r.fork("x").uniform()).toEqual(new Rng(5).fork("x").uniform());
    expect(r.fork("x").uniform()).not.toEqual(r.fork("y").uniform());
  });
});
