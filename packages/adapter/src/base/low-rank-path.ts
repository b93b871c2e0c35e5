import * as tf from "@tensorflow/tfjs-core";
import { fusedOp, reduceToShape, type LinearAdapter, type Rng } from "@aflora/core";

/**
 * Up to this rank the path is one autograd node that keeps only x and its two [N, r] products;
 * above it (ELoRA's r = 1024) recomputing [N, r] products in the backward would cost full-size
 * matmuls, so the ops are recorded one by one as before.
 */
export const FUSED_MAX_RANK = 64;

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
      const { dropout } = this.p;
      const xin =
        this.training && dropout > 0
          ? (tf.dropout(x, dropout, undefined, this.p.dropoutRng.nextUint32()) as tf.Tensor2D)
          : x;
      const a = this.kernelA();
      const b = this.kernelB();
      return a.shape[1] <= FUSED_MAX_RANK ? this.fused(xin, a, b) : this.path(xin, a, b).y;
    });
  }

  /** The ops, in the order every method's forward has always run them (values are bit-identical either way). */
  private path(x: tf.Tensor2D, a: tf.Tensor2D, b: tf.Tensor2D): { h: tf.Tensor2D; hd: tf.Tensor2D; y: tf.Tensor2D } {
    const { d, db, scaling } = this.p;
    const h: tf.Tensor2D = tf.matMul(x, a);
    const hd: tf.Tensor2D = d ? tf.mul(h, d) : h;
    let y: tf.Tensor2D = tf.matMul(hd, b);
    if (db) y = tf.mul(y, db);
    if (scaling !== 1) y = tf.mul(y, scaling);
    return { h, hd, y };
  }

  /**
   * One tape node keeping x, x·A and λd ⊙ x·A (x is kept by W0's matmul anyway). With
   * g = scaling·dy, gb = g ⊙ λb and u = gb·Bᵀ [N, r]: dA = xᵀ(u ⊙ λd), dx = (u ⊙ λd)·Aᵀ,
   * dλd = Σ u ⊙ x·A, dB = (λd ⊙ x·A)ᵀ·gb, dλb = Σ g ⊙ ((λd ⊙ x·A)·B) (the [N, out] product is
   * recomputed: rank r makes it cheap).
   */
  private fused(x: tf.Tensor2D, a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
    const { d, db, scaling } = this.p;
    const inputs: Record<string, tf.Tensor> = { x, a, b };
    if (d) inputs.d = d;
    if (db) inputs.db = db;
    return fusedOp({
      inputs,
      forward: (save) => {
        const { h, hd, y } = this.path(x, a, b);
        save([x, a, b, h, hd]);
        return y;
      },
      gradient: (dy, [xs, as, bs, h, hd]) => {
        const g = scaling !== 1 ? tf.mul(dy, scaling) : dy;
        const gb = () => (db ? tf.mul(g, db) : g);
        // Small ([N, r]) and needed by every input but b and λb: computed once, freed with the backward.
        const u = tf.tidy(() => tf.matMul(gb(), bs!, false, true));
        const uD = () => (d ? tf.mul(u, d) : u);
        const grads: Record<string, () => tf.Tensor> = {
          x: () => tf.matMul(uD(), as!, false, true),
          a: () => tf.matMul(xs!, uD(), true, false),
          b: () => tf.matMul(hd!, gb(), true, false),
        };
        if (d) grads.d = () => reduceToShape(tf.mul(u, h!), d.shape);
        if (db) grads.db = () => reduceToShape(tf.mul(g, tf.matMul(hd!, bs!)), db.shape);
        return grads;
      },
    }) as tf.Tensor2D;
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
