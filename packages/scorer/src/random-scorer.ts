import { Rng, type FreezingScorer, type Json, type TrackedMatrix } from "@aflora/core";

/**
 * A seeded random baseline: at every decision each matrix draws one uniform number and all
 * its elements get that score, so matrices are ranked at random while the element quantile
 * still weighs them by size. Gradients and values are not read.
 */
export class RandomScorer implements FreezingScorer {
  readonly name = "random";
  readonly stateKey = "scorer:random";
  private readonly rng: Rng;
  private readonly sizes = new Map<string, number>();

  constructor(readonly seed: number) {
    this.rng = new Rng(seed);
  }

  update(_step: number, tracked: readonly TrackedMatrix[]): void {
    for (const m of tracked) this.sizes.set(m.name, m.grad.size);
  }

  elementScores(names: readonly string[]): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const n of names) {
      const size = this.sizes.get(n);
      if (size === undefined) throw new Error(`random scorer: "${n}" was never updated`);
      out.set(n, new Float32Array(size).fill(this.rng.uniform()));
    }
    return out;
  }

  forget(names: readonly string[]): void {
    for (const n of names) this.sizes.delete(n);
  }

  saveState(): { json: Json } {
    const state = this.rng.getState().map((v) => (Number.isNaN(v) ? null : v));
    return { json: { scorer: this.name, seed: this.seed, rng: state, sizes: Object.fromEntries(this.sizes) } };
  }

  loadState(state: { json: Json }): void {
    const j = state.json as { scorer?: unknown; seed?: unknown; rng?: unknown; sizes?: unknown };
    if (j.scorer !== this.name)
      throw new Error(
        `scorer state: the checkpoint holds "${String(j.scorer)}" scorer state, this run uses "${this.name}"`,
      );
    if (j.seed !== this.seed)
      throw new Error(
        `scorer state: the checkpoint was written with seed = ${String(j.seed)} but this run uses seed = ${this.seed}`,
      );
    this.rng.setState((j.rng as (number | null)[]).map((v) => (v === null ? Number.NaN : v)));
    this.sizes.clear();
    for (const [n, s] of Object.entries((j.sizes ?? {}) as Record<string, number>)) this.sizes.set(n, s);
  }
}
