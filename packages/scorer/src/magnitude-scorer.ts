import type { FreezingScorer, Json, TrackedMatrix } from "@aflora/core";
import { readFloat32 } from "./read-tensor.js";

/**
 * Weight magnitude |θ| at the latest step, unsmoothed: the authors' "Magnitude" pruner mode
 * (`ipt = |p|`, score = ipt). Gradients are not read.
 */
export class MagnitudeScorer implements FreezingScorer {
  readonly name = "magnitude";
  readonly stateKey = "scorer:magnitude";
  private readonly latest = new Map<string, { shape: number[]; data: Float32Array }>();

  update(_step: number, tracked: readonly TrackedMatrix[]): void {
    for (const m of tracked) {
      const v = readFloat32(m.value, `value of ${m.name}`);
      let slot = this.latest.get(m.name);
      if (!slot || slot.data.length !== v.length) {
        slot = { shape: [...m.value.shape], data: new Float32Array(v.length) };
        this.latest.set(m.name, slot);
      }
      const d = slot.data;
      for (let i = 0; i < v.length; i++) d[i] = Math.abs(v[i]!);
    }
  }

  elementScores(names: readonly string[]): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const n of names) {
      const slot = this.latest.get(n);
      if (!slot) throw new Error(`magnitude scorer: no value seen for "${n}"`);
      out.set(n, slot.data.slice());
    }
    return out;
  }

  forget(names: readonly string[]): void {
    for (const n of names) this.latest.delete(n);
  }

  saveState(): { json: Json; tensors: Record<string, { data: Float32Array; shape: number[] }> } {
    const tensors: Record<string, { data: Float32Array; shape: number[] }> = {};
    for (const [n, s] of this.latest) tensors[`abs/${n}`] = { data: s.data.slice(), shape: s.shape };
    return { json: { scorer: this.name, names: [...this.latest.keys()] }, tensors };
  }

  loadState(state: { json: Json; tensors: Record<string, { data: Float32Array; shape: number[] }> }): void {
    const j = state.json as { scorer?: unknown; names?: unknown };
    if (j.scorer !== this.name || !Array.isArray(j.names))
      throw new Error(
        `scorer state: the checkpoint holds "${String(j.scorer)}" scorer state, this run uses "${this.name}"`,
      );
    this.latest.clear();
    for (const n of j.names as string[]) {
      const t = state.tensors[`abs/${n}`];
      if (!t) throw new Error(`scorer state: tensor "abs/${n}" is missing from the checkpoint`);
      this.latest.set(n, { shape: [...t.shape], data: Float32Array.from(t.data) });
    }
  }
}
