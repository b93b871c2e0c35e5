import * as tf from "@tensorflow/tfjs-core";
import { addLean, reshapeLean } from "./fused-op.js";

/** A low-rank path added to a Linear (LoRA, ELoRA, AFLoRA). */
export interface LinearAdapter {
  /** The adapter's contribution for input x [N, in]; returns [N, out]. */
  forward(x: tf.Tensor2D): tf.Tensor2D;
  /** The equivalent dense update in kernel layout [in, out], for merging into W0. */
  deltaKernel(): tf.Tensor2D;
}

/**
 * A Linear module named by its Hugging Face state-dict prefix (e.g.
 * `deberta.encoder.layer.0.attention.self.query_proj`). The kernel is stored as
 * [in, out] (the transpose of PyTorch's weight) so the forward matmul is a plain 2-D
 * matmul, the form the wasm backend runs on its fast path.
 */
export class Linear {
  adapter: LinearAdapter | null = null;
  /** True while the adapter's delta is merged into the kernel. */
  merged = false;

  constructor(
    readonly name: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly kernel: tf.Variable,
    readonly bias: tf.Variable | null,
  ) {
    if (kernel.shape.length !== 2 || kernel.shape[0] !== inFeatures || kernel.shape[1] !== outFeatures) {
      throw new Error(`Linear ${name}: kernel shape [${kernel.shape}] is not [${inFeatures}, ${outFeatures}]`);
    }
  }

  /** x: [..., in] → [..., out]. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      // Lean adds and reshapes: the tape keeps x and the kernel (for the matmul's gradients), not y.
      const x2 = x.rank === 2 ? (x as tf.Tensor2D) : reshapeLean<tf.Rank.R2>(x, [-1, this.inFeatures]);
      let y = tf.matMul(x2, this.kernel as tf.Tensor2D) as tf.Tensor;
      if (this.bias) y = addLean(y, this.bias);
      if (this.adapter && !this.merged) y = addLean(y, this.adapter.forward(x2));
      return x.rank === 2 ? y : reshapeLean(y, [...lead, this.outFeatures]);
    });
  }

  /** Merges the adapter into the kernel (inference costs what the base model costs). */
  merge(): void {
    if (!this.adapter || this.merged) return;
    tf.tidy(() => this.kernel.assign(tf.add(this.kernel, this.adapter!.deltaKernel())));
    this.merged = true;
  }

  unmerge(): void {
    if (!this.adapter || !this.merged) return;
    tf.tidy(() => this.kernel.assign(tf.sub(this.kernel, this.adapter!.deltaKernel())));
    this.merged = false;
  }
}
