import { SmoothedScorer } from "./smoothed-scorer.js";

export interface SmoothedScorerOptions {
  /** EMA factor of the smoothed sensitivity Ī (the authors: 0.85). */
  beta1: number;
  /** Uncertainty factor (the authors: 0.95); selects the score branch, see `UncertaintyMode`. */
  beta2: number;
  /** Window length ΔT in optimizer steps (the authors: 10). */
  deltaT: number;
}

export const AFLORA_DEFAULTS: SmoothedScorerOptions = { beta1: 0.85, beta2: 0.95, deltaT: 10 };

/**
 * AFLoRA's freezing score (the paper's, as the authors' code computes it): sensitivity
 * |sign(θ)·∇θ| — the gradient magnitude, 0 where θ is exactly 0 — averaged over ΔT-step
 * windows, smoothed with β1, uncertainty with β2, element score Ī ⊙ Ū.
 */
export class AfloraScorer extends SmoothedScorer {
  readonly name = "aflora";
  protected readonly usesValue = true;

  constructor(options: SmoothedScorerOptions = AFLORA_DEFAULTS) {
    super(options.beta1, options.beta2, options.deltaT);
  }

  protected sensitivity(value: Float32Array | null, grad: Float32Array, out: Float32Array): void {
    const v = value!;
    for (let i = 0; i < grad.length; i++) out[i] = v[i] === 0 ? 0 : Math.abs(grad[i]!);
  }
}
