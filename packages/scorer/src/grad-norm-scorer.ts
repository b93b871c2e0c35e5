import { SmoothedScorer } from "./smoothed-scorer.js";

export interface GradNormScorerOptions {
  beta1: number;
  deltaT: number;
}

/**
 * Squared gradient, ΔT-window averaged and EMA-smoothed with β1, without an uncertainty
 * term: a matrix's mean score is its smoothed mean squared gradient (‖∇θ‖²/size), i.e. the
 * gradient-norm criterion.
 */
export class GradNormScorer extends SmoothedScorer {
  readonly name = "grad-norm";
  protected readonly usesValue = false;

  constructor(options: GradNormScorerOptions = { beta1: 0.85, deltaT: 10 }) {
    super(options.beta1, 1, options.deltaT);
  }

  protected sensitivity(_value: Float32Array | null, grad: Float32Array, out: Float32Array): void {
    for (let i = 0; i < grad.length; i++) out[i] = Math.fround(grad[i]! * grad[i]!);
  }
}
