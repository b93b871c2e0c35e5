import * as tf from "@tensorflow/tfjs-core";
import type { AppliedAdapter } from "../src/apply/applied-adapter.js";

/** The adapter's own contribution for module `m` on x, and its factors, as plain arrays. */
export function pathOutput(adapter: AppliedAdapter, m: string, x: tf.Tensor2D) {
  const mod = adapter.modules.get(m)!;
  const y = mod.path.forward(x);
  const out = {
    y: y.arraySync() as number[][],
    x: x.arraySync() as number[][],
    A: adapter.variable(mod.plan.a).arraySync() as number[][],
    B: adapter.variable(mod.plan.b).arraySync() as number[][],
    d: mod.plan.d ? Array.from(adapter.variable(mod.plan.d).dataSync()) : null,
    db: mod.plan.db ? Array.from(adapter.variable(mod.plan.db).dataSync()) : null,
  };
  y.dispose();
  return out;
}

/** scaling · λb ⊙ ((λd ⊙ (x·A))·B) in float64, from kernels [in, r] and [r, out]. */
export function expectedPath(p: ReturnType<typeof pathOutput>, scaling: number, inF: number, outF: number): number[][] {
  const r = p.A[0]!.length;
  return p.x.map((row) => {
    const h = Array.from(
      { length: r },
      (_, k) => (p.d ? p.d[k]! : 1) * row.slice(0, inF).reduce((s, xi, i) => s + xi * p.A[i]![k]!, 0),
    );
    return Array.from(
      { length: outF },
      (_, j) => scaling * (p.db ? p.db[j]! : 1) * h.reduce((s, hk, k) => s + hk * p.B[k]![j]!, 0),
    );
  });
}
