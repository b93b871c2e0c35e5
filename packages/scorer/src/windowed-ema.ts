import type { Json } from "@aflora/core";

const f = Math.fround;

/**
 * How the uncertainty Ū enters the score, chosen by beta2 exactly as the authors' `Pruner`
 * branches (FORMAT.md §2.2, §2.6):
 * - "ema": 0 < beta2 < 1, Ū is an EMA of |ipt − Ī| and the element score is Ī ⊙ Ū;
 * - "none": beta2 == 1, the score is Ī alone;
 * - "window-deviation": any other beta2 except 2, the score is Ī ⊙ |ipt − Ī| with the
 *   current, partial window mean ipt (the authors' fallback branch).
 * beta2 == 2 (running variance) is refused when the options are read: see `uncertaintyMode`.
 */
export type UncertaintyMode = "ema" | "none" | "window-deviation";

export function uncertaintyMode(beta2: number): UncertaintyMode {
  if (beta2 === 2) {
    throw new Error(
      "beta2: 2 selects the authors' running-variance uncertainty, whose score line crashes in the reference code (FORMAT.md §4) and is therefore undefined; aflora refuses it. Use 0 < beta2 < 1 (the paper: 0.95), 1 (smoothed sensitivity alone) or another value for the window-deviation fallback.",
    );
  }
  if (beta2 > 0 && beta2 < 1) return "ema";
  if (beta2 === 1) return "none";
  return "window-deviation";
}

export interface WindowState {
  readonly shape: readonly number[];
  /** Mean sensitivity of the current ΔT-window so far (`ipt`). */
  readonly ipt: Float32Array;
  /** Smoothed sensitivity Ī (`exp_avg_ipt`), advanced once per window. */
  readonly expAvgIpt: Float32Array;
  /** Smoothed uncertainty Ū (`exp_avg_unc`); allocated when beta2 > 0 and beta2 != 1, as the reference does. */
  readonly expAvgUnc: Float32Array | null;
}

/**
 * PLATON-style statistics over a local window of ΔT optimizer steps (FORMAT.md §2.2): the
 * per-step sensitivity is averaged over the window, and the EMAs advance at the first step of
 * the next window with the completed window's mean. Every operation is float32 in the
 * reference's order (scalars rounded to float32 first), so element values are bit-identical
 * to the authors' PyTorch state.
 */
export class WindowedEma {
  readonly mode: UncertaintyMode;
  private readonly b1: number;
  private readonly oneMinusB1: number;
  private readonly b2: number;
  private readonly oneMinusB2: number;
  private readonly states = new Map<string, WindowState>();

  constructor(
    readonly beta1: number,
    readonly beta2: number,
    readonly deltaT: number,
  ) {
    this.mode = uncertaintyMode(beta2);
    this.b1 = f(beta1);
    this.oneMinusB1 = f(1 - beta1);
    this.b2 = f(beta2);
    this.oneMinusB2 = f(1 - beta2);
  }

  names(): string[] {
    return [...this.states.keys()];
  }

  state(name: string): WindowState | undefined {
    return this.states.get(name);
  }

  /** Folds one step's sensitivity `s` (float32, row-major) of matrix `name` into its window. */
  accumulate(step: number, name: string, shape: readonly number[], s: Float32Array): void {
    const st = this.stateFor(name, shape, s.length);
    const local = step % this.deltaT;
    const ipt = st.ipt;
    const n = s.length;
    if (local === 0) {
      const e = st.expAvgIpt;
      const b1 = this.b1;
      const c1 = this.oneMinusB1;
      if (this.mode === "ema") {
        const u = st.expAvgUnc!;
        const b2 = this.b2;
        const c2 = this.oneMinusB2;
        for (let i = 0; i < n; i++) {
          const w = ipt[i]!;
          const ei = f(f(b1 * e[i]!) + f(c1 * w));
          e[i] = ei;
          u[i] = f(f(b2 * u[i]!) + f(c2 * Math.abs(f(w - ei))));
          ipt[i] = s[i]!;
        }
      } else {
        for (let i = 0; i < n; i++) {
          e[i] = f(f(b1 * e[i]!) + f(c1 * ipt[i]!));
          ipt[i] = s[i]!;
        }
      }
    } else {
      const next = local + 1;
      for (let i = 0; i < n; i++) ipt[i] = f(f(f(ipt[i]! * local) + s[i]!) / next);
    }
  }

  /** Element-wise score (FORMAT.md §2.6) of one matrix, as a new array. */
  score(name: string): Float32Array {
    const st = this.states.get(name);
    if (!st) throw new Error(`WindowedEma: no statistics for "${name}" (it was never updated)`);
    const e = st.expAvgIpt;
    const n = e.length;
    if (this.mode === "none") return e.slice();
    const out = new Float32Array(n);
    if (this.mode === "ema") {
      const u = st.expAvgUnc!;
      for (let i = 0; i < n; i++) out[i] = f(e[i]! * u[i]!);
    } else {
      const ipt = st.ipt;
      for (let i = 0; i < n; i++) out[i] = f(e[i]! * Math.abs(f(ipt[i]! - e[i]!)));
    }
    return out;
  }

  forget(names: readonly string[]): void {
    for (const n of names) this.states.delete(n);
  }

  save(): { json: Json; tensors: Record<string, { data: Float32Array; shape: number[] }> } {
    const tensors: Record<string, { data: Float32Array; shape: number[] }> = {};
    const matrices: Json[] = [];
    for (const [name, st] of this.states) {
      const shape = [...st.shape];
      matrices.push({ name, shape });
      tensors[`ipt/${name}`] = { data: st.ipt.slice(), shape };
      tensors[`exp_avg_ipt/${name}`] = { data: st.expAvgIpt.slice(), shape };
      if (st.expAvgUnc) tensors[`exp_avg_unc/${name}`] = { data: st.expAvgUnc.slice(), shape };
    }
    return { json: { beta1: this.beta1, beta2: this.beta2, deltaT: this.deltaT, matrices }, tensors };
  }

  load(json: Json, tensors: Record<string, { data: Float32Array; shape: number[] }>): void {
    const j = json as { beta1?: unknown; beta2?: unknown; deltaT?: unknown; matrices?: unknown };
    for (const key of ["beta1", "beta2", "deltaT"] as const) {
      if (j[key] !== this[key]) {
        throw new Error(
          `scorer state: the checkpoint was written with ${key} = ${JSON.stringify(j[key])} but this run uses ${key} = ${this[key]}`,
        );
      }
    }
    if (!Array.isArray(j.matrices)) throw new Error("scorer state: missing the list of matrices");
    this.states.clear();
    for (const m of j.matrices as { name: string; shape: number[] }[]) {
      const take = (kind: string, required: boolean): Float32Array | null => {
        const t = tensors[`${kind}/${m.name}`];
        if (!t) {
          if (required) throw new Error(`scorer state: tensor "${kind}/${m.name}" is missing from the checkpoint`);
          return null;
        }
        return Float32Array.from(t.data);
      };
      const ipt = take("ipt", true)!;
      const expAvgIpt = take("exp_avg_ipt", true)!;
      const expAvgUnc = take("exp_avg_unc", this.allocatesUnc());
      this.states.set(m.name, {
        shape: [...m.shape],
        ipt,
        expAvgIpt,
        expAvgUnc: this.allocatesUnc() ? expAvgUnc : null,
      });
    }
  }

  private allocatesUnc(): boolean {
    return this.beta2 > 0 && this.beta2 !== 1;
  }

  private stateFor(name: string, shape: readonly number[], size: number): WindowState {
    let st = this.states.get(name);
    if (!st) {
      st = {
        shape: [...shape],
        ipt: new Float32Array(size),
        expAvgIpt: new Float32Array(size),
        expAvgUnc: this.allocatesUnc() ? new Float32Array(size) : null,
      };
      this.states.set(name, st);
    } else if (st.ipt.length !== size) {
      throw new Error(`WindowedEma: "${name}" changed size from ${st.ipt.length} to ${size} elements`);
    }
    return st;
  }
}
