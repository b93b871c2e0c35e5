import { SmoothedScorer } from "./smoothed-scorer.js";
import { AFLORA_DEFAULTS, type SmoothedScorerOptions } from "./aflora-scorer.js";

/**
 * AdaLoRA/PLATON sensitivity |θ ⊙ ∇θ| (weight magnitude times gradient), with the same
 * ΔT-window smoothing and uncertainty as `aflora`: the ablation the paper argues against.
 */
export class SensitivityScorer extends SmoothedScorer {
  readonly name = "sensitivity";
  protected readonly usesValue = true;

  constructor(options: SmoothedScorerOptions = AFLORA_DEFAULTS) {
    super(options.beta1, options.beta2, options.deltaT);
  }

  protected sensitivity(value: Float32Array | null, grad: Float32Array, out: Float32Array): void {
    const v = value!;
    for (let i = 0; i < grad.length; i++) out[i] = Math.abs(Math.fround(v[i]! * grad[i]!));
  }
}
