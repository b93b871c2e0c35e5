import type { Json } from "@aflora/core";

const f = Math.fround;

/**
 * How beta2 shapes the uncertainty in the authors' decoder `Pruner` (their gsm8k/utils.py;
 * fixtures/aflora-reference-decoder/FORMAT.md §2.2, §2.6):
 * - "ema" (0 < beta2 < 1, the paper's 0.95): Ū is an EMA of |ipt − Ī|, score Ī ⊙ Ū;
 * - "none" (beta2 == 1): score Ī alone;
 * - "running-variance" (beta2 == 2): Ū is the running mean of (ipt − Ī)², score Ī ⊙ √Ū;
 * - "window-deviation" (any other value, beta2 ≤ 0 included): score Ī ⊙ |ipt − Ī| with the
 *   current, partial-window ipt.
 * With beta2 == 1, beta2 ≤ 0 and beta2 == 2 the reference crashes at its first mask step
 * (a logging line, or a square root of the state dictionary); aflora scores with the branch
 * the reference's own score code selects for that beta2 (documented in docs/decoders.md).
 */
export type DecoderUncertaintyMode = "ema" | "none" | "running-variance" | "window-deviation";

export function decoderUncertaintyMode(beta2: number): DecoderUncertaintyMode {
  if (!Number.isFinite(beta2)) throw new Error(`beta2: expected a finite number, got ${beta2}`);
  if (beta2 > 0 && beta2 < 1) return "ema";
  if (beta2 === 1) return "none";
  if (beta2 === 2) return "running-variance";
  return "window-deviation";
}

export interface DecoderWindowState {
  readonly shape: readonly number[];
  /** Mean sensitivity of the current ΔT-window so far (`ipt`). */
  readonly ipt: Float32Array;
  /** Smoothed sensitivity Ī (`exp_avg_ipt`). */
  readonly expAvgIpt: Float32Array;
  /** Uncertainty Ū (`exp_avg_unc`): allocated when beta2 > 0 and beta2 != 1, as the reference does. */
  readonly expAvgUnc: Float32Array | null;
}

/** True when some element is NaN, +Inf or −Inf. */
export function hasNonFinite(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return true;
  return false;
}

/**
 * ΔT-window statistics of the decoder variant: like the encoder's `WindowedEma`, plus the
 * per-matrix non-finite-gradient guard and the beta2 == 2 running variance. Every element
 * operation is float32 in the reference's order, so states are bit-identical to PyTorch's.
 */
export class DecoderWindowStats {
  readonly mode: DecoderUncertaintyMode;
  private readonly b1: number;
  private readonly c1: number;
  private readonly b2: number;
  private readonly c2: number;
  private readonly states = new Map<string, DecoderWindowState>();

  constructor(
    readonly beta1: number,
    readonly beta2: number,
    readonly deltaT: number,
  ) {
    if (!Number.isInteger(deltaT) || deltaT < 1) throw new Error(`deltaT: expected a positive integer, got ${deltaT}`);
    this.mode = decoderUncertaintyMode(beta2);
    this.b1 = f(beta1);
    this.c1 = f(1 - beta1);
    this.b2 = f(beta2);
    this.c2 = f(1 - beta2);
  }

  state(name: string): DecoderWindowState | undefined {
    return this.states.get(name);
  }

  names(): string[] {
    return [...this.states.keys()];
  }

  /**
   * One step of one matrix: `s` is |sign(θ)·g|, or null when the gradient had a non-finite
   * element (the step then restarts the window from zeros at a window start, and is ignored
   * mid-window, FORMAT.md §2.2).
   */
  accumulate(step: number, name: string, shape: readonly number[], size: number, s: Float32Array | null): void {
    const st = this.stateFor(name, shape, size);
    const local = step % this.deltaT;
    const ipt = st.ipt;
    if (local === 0) {
      this.advance(st, Math.floor(step / this.deltaT));
      if (s) ipt.set(s);
      else ipt.fill(0);
    } else if (s) {
      const next = local + 1;
      for (let i = 0; i < size; i++) ipt[i] = f(f(f(ipt[i]! * local) + s[i]!) / next);
    }
  }

  /** Element scores of one matrix (FORMAT.md §2.6), as a new array. */
  score(name: string): Float32Array {
    const st = this.states.get(name);
    if (!st) throw new Error(`aflora-decoder scorer: no statistics for "${name}" (it was never updated)`);
    const e = st.expAvgIpt;
    const n = e.length;
    if (this.mode === "none") return e.slice();
    const out = new Float32Array(n);
    if (this.mode === "ema") {
      const u = st.expAvgUnc!;
      for (let i = 0; i < n; i++) out[i] = f(e[i]! * u[i]!);
    } else if (this.mode === "running-variance") {
      const u = st.expAvgUnc!;
      for (let i = 0; i < n; i++) out[i] = f(e[i]! * f(Math.sqrt(u[i]!)));
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
    const take = (kind: string, name: string): Float32Array => {
      const t = tensors[`${kind}/${name}`];
      if (!t) throw new Error(`scorer state: tensor "${kind}/${name}" is missing from the checkpoint`);
      return Float32Array.from(t.data);
    };
    this.states.clear();
    for (const m of j.matrices as { name: string; shape: number[] }[]) {
      const expAvgUnc = this.allocatesUnc() ? take("exp_avg_unc", m.name) : null;
      this.states.set(m.name, {
        shape: [...m.shape],
        ipt: take("ipt", m.name),
        expAvgIpt: take("exp_avg_ipt", m.name),
        expAvgUnc,
      });
    }
  }

  /** The EMA step at a window start, with the completed window's mean (update index `u` = t div ΔT). */
  private advance(st: DecoderWindowState, u: number): void {
    const { ipt, expAvgIpt: e, expAvgUnc: unc } = st;
    const n = ipt.length;
    for (let i = 0; i < n; i++) e[i] = f(f(this.b1 * e[i]!) + f(this.c1 * ipt[i]!));
    if (this.mode === "ema") {
      for (let i = 0; i < n; i++) unc![i] = f(f(this.b2 * unc![i]!) + f(this.c2 * Math.abs(f(ipt[i]! - e[i]!))));
    } else if (this.mode === "running-variance") {
      for (let i = 0; i < n; i++) {
        const d = f(ipt[i]! - e[i]!);
        unc![i] = f(f(f(u * unc![i]!) + f(d * d)) / (u + 1));
      }
    }
  }

  private allocatesUnc(): boolean {
    return this.beta2 > 0 && this.beta2 !== 1;
  }

  private stateFor(name: string, shape: readonly number[], size: number): DecoderWindowState {
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
      throw new Error(`aflora-decoder scorer: "${name}" changed size from ${st.ipt.length} to ${size} elements`);
    }
    return st;
  }
}
