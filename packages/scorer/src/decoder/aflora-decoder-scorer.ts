import type { FreezingScorer, Json, TrackedMatrix } from "@aflora/core";
import { readFloat32 } from "../read-tensor.js";
import {
  DecoderWindowStats,
  hasNonFinite,
  type DecoderUncertaintyMode,
  type DecoderWindowState,
} from "./decoder-window-stats.js";

export interface AfloraDecoderScorerOptions {
  /** EMA factor of Ī (the authors' commonsense config: 0.85). */
  beta1: number;
  /** Uncertainty factor (0.95); selects the score branch, see `DecoderUncertaintyMode`. */
  beta2: number;
  /** Window length ΔT in optimizer steps (10). */
  deltaT: number;
}

/** `ipt_all_tasks_config['commonsense']` of the authors' gsm8k/trainer.py, used for every decoder task. */
export const AFLORA_DECODER_SCORER_DEFAULTS: AfloraDecoderScorerOptions = { beta1: 0.85, beta2: 0.95, deltaT: 10 };

/** Sums the reference logs at each scoring (FORMAT.md §6.1 `logged`); means per tracked matrix. */
export interface DecoderScoreLog {
  sumExpAvgIpt: number;
  /** null when the uncertainty state does not exist (beta2 == 1 or beta2 ≤ 0: the reference crashes reading it). */
  sumExpAvgUnc: number | null;
  sumScore: number;
}

/**
 * The decoder (LLaMA) variant of AFLoRA's score, as the authors' gsm8k `Pruner` computes it:
 * sensitivity |sign(θ)·∇θ| averaged over ΔT windows, EMAs with β1/β2 — with a per-matrix
 * guard for non-finite gradients (fp16 loss-scale overflow): at a window start the window
 * restarts from zeros, mid-window the step is ignored. Each such matrix is reported in
 * `nonFiniteAt(step)` (the reference warns once per matrix and step).
 */
export class AfloraDecoderScorer implements FreezingScorer {
  readonly name = "aflora-decoder";
  private readonly stats: DecoderWindowStats;
  private scratch = new Float32Array(0);
  private lastStep: number | null = null;
  private lastNonFinite: string[] = [];
  private warnings = 0;

  constructor(options: AfloraDecoderScorerOptions = AFLORA_DECODER_SCORER_DEFAULTS) {
    this.stats = new DecoderWindowStats(options.beta1, options.beta2, options.deltaT);
  }

  get stateKey(): string {
    return `scorer:${this.name}`;
  }

  get deltaT(): number {
    return this.stats.deltaT;
  }

  get mode(): DecoderUncertaintyMode {
    return this.stats.mode;
  }

  /** Matrices whose gradient had a NaN/±Inf element at the last update (in update order). */
  get nonFiniteLastStep(): readonly string[] {
    return this.lastNonFinite;
  }

  /** Non-finite-gradient warnings so far (one per matrix and step). */
  get nonFiniteWarnings(): number {
    return this.warnings;
  }

  update(step: number, tracked: readonly TrackedMatrix[]): void {
    if (!Number.isInteger(step) || step < 0)
      throw new Error(`${this.name} scorer: step must be a non-negative integer, got ${step}`);
    if (this.lastStep !== null && step <= this.lastStep) {
      throw new Error(
        `${this.name} scorer: update for step ${step} after step ${this.lastStep}; scores are updated once per optimizer step`,
      );
    }
    this.lastStep = step;
    this.lastNonFinite = [];
    for (const m of tracked) {
      const grad = readFloat32(m.grad, `gradient of ${m.name}`);
      const value = readFloat32(m.value, `value of ${m.name}`);
      if (value.length !== grad.length)
        throw new Error(`${this.name} scorer: value and gradient of ${m.name} differ in size`);
      let s: Float32Array | null = null;
      if (hasNonFinite(grad)) {
        this.lastNonFinite.push(m.name);
        this.warnings++;
      } else {
        if (this.scratch.length < grad.length) this.scratch = new Float32Array(grad.length);
        s = this.scratch.subarray(0, grad.length);
        for (let i = 0; i < grad.length; i++) s[i] = value[i] === 0 ? 0 : Math.abs(grad[i]!);
      }
      this.stats.accumulate(step, m.name, m.grad.shape, grad.length, s);
    }
  }

  elementScores(names: readonly string[]): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const n of names) out.set(n, this.stats.score(n));
    return out;
  }

  /** What the reference logs when it scores these matrices (sums over matrices of element means). */
  scoreLog(names: readonly string[], scores: ReadonlyMap<string, Float32Array>): DecoderScoreLog {
    let ipt = 0;
    let unc: number | null = 0;
    let score = 0;
    for (const n of names) {
      const st = this.stats.state(n);
      if (!st) throw new Error(`${this.name} scorer: no statistics for "${n}"`);
      ipt += meanOf(st.expAvgIpt);
      unc = st.expAvgUnc && unc !== null ? unc + meanOf(st.expAvgUnc) : null;
      score += meanOf(scores.get(n) ?? this.stats.score(n));
    }
    return { sumExpAvgIpt: ipt, sumExpAvgUnc: unc, sumScore: score };
  }

  forget(names: readonly string[]): void {
    this.stats.forget(names);
  }

  /** The window statistics of one matrix (read-only view). */
  statistics(name: string): DecoderWindowState | undefined {
    return this.stats.state(name);
  }

  saveState(): { json: Json; tensors: Record<string, { data: Float32Array; shape: number[] }> } {
    const { json, tensors } = this.stats.save();
    return { json: { scorer: this.name, lastStep: this.lastStep, warnings: this.warnings, stats: json }, tensors };
  }

  loadState(state: { json: Json; tensors: Record<string, { data: Float32Array; shape: number[] }> }): void {
    const j = state.json as { scorer?: unknown; lastStep?: unknown; warnings?: unknown; stats?: Json };
    if (j.scorer !== this.name)
      throw new Error(
        `scorer state: the checkpoint holds "${String(j.scorer)}" scorer state, this run uses "${this.name}"`,
      );
    this.stats.load(j.stats ?? null, state.tensors);
    this.lastStep = typeof j.lastStep === "number" ? j.lastStep : null;
    this.warnings = typeof j.warnings === "number" ? j.warnings : 0;
    this.lastNonFinite = [];
  }
}

function meanOf(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}
