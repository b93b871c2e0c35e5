import * as tf from "@tensorflow/tfjs-core";
import type { LinearAdapter, Rng } from "@aflora/core";

export interface LowRankPathParts {
  /** [in, r] kernel (or a shared [maxIn, r] kernel, sliced to the first `inFeatures` rows). */
  a: tf.Variable;
  /** [r, out] kernel (or a shared [r, maxOut] kernel, sliced to the first `outFeatures` columns). */
  b: tf.Variable;
  d: tf.Variable | null;
  db: tf.Variable | null;
  inFeatures: number;
  outFeatures: number;
  scaling: number;
  dropout: number;
  dropoutRng: Rng;
}

/**
 * `y = scaling · λb ⊙ ((λd ⊙ (dropout(x)·A)) · B)` with A, B stored as kernels so that both
 * matmuls are plain 2-D, non-transposed: the only form the wasm backend runs fast. LoRA is the
 * case without λ vectors; ELoRA and AFLoRA the case with both and scaling 1.
 */
export class LowRankPath implements LinearAdapter {
  training = false;

  constructor(private readonly p: LowRankPathParts) {}

  private kernelA(): tf.Tensor2D {
    const a = this.p.a as tf.Tensor2D;
    return a.shape[0] === this.p.inFeatures ? a : tf.slice(a, [0, 0], [this.p.inFeatures, a.shape[1]]);
  }

  private kernelB(): tf.Tensor2D {
    const b = this.p.b as tf.Tensor2D;
    return b.shape[1] === this.p.outFeatures ? b : tf.slice(b, [0, 0], [b.shape[0], this.p.outFeatures]);
  }

  forward(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const { d, db, scaling, dropout } = this.p;
      const xin =
        this.training && dropout > 0
          ? (tf.dropout(x, dropout, undefined, this.p.dropoutRng.nextUint32()) as tf.Tensor2D)
          : x;
      let h: tf.Tensor2D = tf.matMul(xin, this.kernelA());
      if (d) h = tf.mul(h, d);
      let y: tf.Tensor2D = tf.matMul(h, this.kernelB());
      if (db) y = tf.mul(y, db);
      if (scaling !== 1) y = tf.mul(y, scaling);
      return y;
    });
  }

  /** scaling · (A·diag(λd)) · (B·diag(λb)) in kernel layout [in, out] (= ΔWᵀ). */
  deltaKernel(): tf.Tensor2D {
    return tf.tidy(() => {
      const { d, db, scaling } = this.p;
      const a = d ? tf.mul(this.kernelA(), d) : this.kernelA();
      const b = db ? tf.mul(this.kernelB(), db) : this.kernelB();
      const delta: tf.Tensor2D = tf.matMul(a, b);
      return scaling !== 1 ? tf.mul(delta, scaling) : delta;
    });
  }
}
