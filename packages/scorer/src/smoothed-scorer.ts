import type { FreezingScorer, Json, TrackedMatrix } from "@aflora/core";
import { readFloat32 } from "./read-tensor.js";
import { WindowedEma, type UncertaintyMode, type WindowState } from "./windowed-ema.js";

/**
 * A scorer whose per-step sensitivity is smoothed by `WindowedEma` (ΔT-window mean, EMA β1,
 * uncertainty β2). Subclasses only say how one step's sensitivity is computed from a
 * matrix's value and gradient.
 */
export abstract class SmoothedScorer implements FreezingScorer {
  abstract readonly name: string;
  protected readonly ema: WindowedEma;
  private scratch = new Float32Array(0);
  private lastStep: number | null = null;

  constructor(beta1: number, beta2: number, deltaT: number) {
    this.ema = new WindowedEma(beta1, beta2, deltaT);
  }

  get stateKey(): string {
    return `scorer:${this.name}`;
  }

  get deltaT(): number {
    return this.ema.deltaT;
  }

  get mode(): UncertaintyMode {
    return this.ema.mode;
  }

  /** Whether `sensitivity` reads the matrix's value (it always reads the gradient). */
  protected abstract readonly usesValue: boolean;

  /** Writes this step's element-wise sensitivity into `out` (float32, same length as `grad`). */
  protected abstract sensitivity(value: Float32Array | null, grad: Float32Array, out: Float32Array): void;

  update(step: number, tracked: readonly TrackedMatrix[]): void {
    if (!Number.isInteger(step) || step < 0)
      throw new Error(`${this.name} scorer: step must be a non-negative integer, got ${step}`);
    if (this.lastStep !== null && step <= this.lastStep) {
      throw new Error(
        `${this.name} scorer: update for step ${step} after step ${this.lastStep}; scores are updated once per optimizer step (with gradient accumulation, once with the accumulated gradient)`,
      );
    }
    this.lastStep = step;
    for (const m of tracked) {
      const grad = readFloat32(m.grad, `gradient of ${m.name}`);
      const value = this.usesValue ? readFloat32(m.value, `value of ${m.name}`) : null;
      if (value && value.length !== grad.length)
        throw new Error(`${this.name} scorer: value and gradient of ${m.name} differ in size`);
      if (this.scratch.length < grad.length) this.scratch = new Float32Array(grad.length);
      const s = this.scratch.subarray(0, grad.length);
      this.sensitivity(value, grad, s);
      this.ema.accumulate(step, m.name, m.grad.shape, s);
    }
  }

  elementScores(names: readonly string[]): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const n of names) out.set(n, this.ema.score(n));
    return out;
  }

  forget(names: readonly string[]): void {
    this.ema.forget(names);
  }

  /** The window statistics of one matrix (read-only view), for inspection and the fixture runner. */
  statistics(name: string): WindowState | undefined {
    return this.ema.state(name);
  }

  saveState(): { json: Json; tensors: Record<string, { data: Float32Array; shape: number[] }> } {
    const { json, tensors } = this.ema.save();
    return { json: { scorer: this.name, lastStep: this.lastStep, ema: json }, tensors };
  }

  loadState(state: { json: Json; tensors: Record<string, { data: Float32Array; shape: number[] }> }): void {
    const j = state.json as { scorer?: unknown; lastStep?: unknown; ema?: Json };
    if (j.scorer !== this.name)
      throw new Error(
        `scorer state: the checkpoint holds "${String(j.scorer)}" scorer state, this run uses "${this.name}"`,
      );
    this.ema.load(j.ema ?? null, state.tensors);
    this.lastStep = typeof j.lastStep === "number" ? j.lastStep : null;
  }
}
