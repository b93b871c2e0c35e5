import * as tf from "@tensorflow/tfjs-core";
import { leanGradients, Rng } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { FUSED_MAX_RANK, LowRankPath } from "./low-rank-path.js";
import { useCpuBackend } from "../../test/backend.js";

useCpuBackend();

const N = 5;
const IN = 6;
const OUT = 7;

interface Setup {
  r: number;
  lambdas: boolean;
  scaling: number;
  /** Shared kernels larger than the module, sliced as ELoRA's are. */
  shared?: boolean;
  trainable?: boolean;
}

function build(s: Setup) {
  const rng = new Rng(21);
  const u = (n: number) => rng.uniformArray(n, -1, 1);
  const inA = s.shared ? IN + 3 : IN;
  const outB = s.shared ? OUT + 2 : OUT;
  const trainable = s.trainable ?? true;
  const a = tf.variable(tf.tensor2d(u(inA * s.r), [inA, s.r]), trainable);
  const b = tf.variable(tf.tensor2d(u(s.r * outB), [s.r, outB]), trainable);
  const d = s.lambdas ? tf.variable(tf.tensor1d(u(s.r))) : null;
  const db = s.lambdas ? tf.variable(tf.tensor1d(u(OUT))) : null;
  const path = new LowRankPath({
    a,
    b,
    d,
    db,
    inFeatures: IN,
    outFeatures: OUT,
    scaling: s.scaling,
    dropout: 0,
    dropoutRng: rng,
  });
  const x = tf.variable(tf.tensor2d(u(N * IN), [N, IN]));
  const g = tf.tensor2d(u(N * OUT), [N, OUT]);
  // The same ops, recorded one by one by tfjs's own autograd.
  const reference = () => {
    const ka = s.shared ? tf.slice(a, [0, 0], [IN, s.r]) : a;
    const kb = s.shared ? tf.slice(b, [0, 0], [s.r, OUT]) : b;
    let h = tf.matMul(x, ka);
    if (d) h = tf.mul(h, d);
    let y = tf.matMul(h, kb);
    if (db) y = tf.mul(y, db);
    if (s.scaling !== 1) y = tf.mul(y, s.scaling);
    return y;
  };
  const vars = [x, a, b, ...(d ? [d] : []), ...(db ? [db] : [])];
  return { path, x, g, vars, reference, dispose: () => tf.dispose([...vars, g]) };
}

describe("LowRankPath as one autograd node", () => {
  const cases: [string, Setup][] = [
    ["AFLoRA/ELoRA form (λd, λb)", { r: 4, lambdas: true, scaling: 1 }],
    ["LoRA form (scaling α/r, no λ)", { r: 3, lambdas: false, scaling: 2 }],
    ["shared kernels sliced to the module", { r: 4, lambdas: true, scaling: 1, shared: true }],
  ];
  for (const [name, s] of cases) {
    it(`${name}: forward bit-identical, gradients as tfjs's autograd of the same ops (1e-6)`, () => {
      const t = build(s);
      const before = tf.memory().numTensors;
      const fused = leanGradients(() => tf.sum(tf.mul(t.path.forward(t.x), t.g)), t.vars);
      const stock = tf.engine().gradients(() => tf.sum(tf.mul(t.reference(), t.g)), t.vars, undefined, true);
      const yFused = t.path.forward(t.x);
      const yStock = tf.tidy(t.reference);
      expect(yFused.dataSync()).toEqual(yStock.dataSync());
      t.vars.forEach((v, i) => {
        const f = fused.grads[i]!.dataSync();
        const r = stock.grads[i]!.dataSync();
        const scale = Math.max(...Array.from(r, Math.abs));
        for (let k = 0; k < r.length; k++) expect(Math.abs(f[k]! - r[k]!)).toBeLessThanOrEqual(1e-6 * scale);
      });
      tf.dispose([yFused, yStock, fused.value, stock.value, ...fused.grads.filter((g) => g)]);
      tf.dispose(stock.grads.filter((g): g is tf.Tensor => !!g));
      expect(tf.memory().numTensors).toBe(before);
      t.dispose();
    });
  }

  it("frozen A and B cost no weight-gradient matmul; only λ gradients and dx are computed", () => {
    const t = build({ r: 4, lambdas: true, scaling: 1, trainable: false });
    const [x, , , d, db] = t.vars;
    const matmuls = (xs: tf.Tensor[]) => {
      const engine = tf.engine();
      const original = engine.runKernel.bind(engine);
      let count = 0;
      engine.runKernel = ((...args: Parameters<typeof original>) => {
        if (args[0] === tf.BatchMatMul) count++;
        return original(...args);
      }) as typeof original;
      try {
        const r = leanGradients(() => tf.sum(tf.mul(t.path.forward(t.x), t.g)), xs);
        tf.dispose([r.value, ...r.grads.filter((g): g is tf.Tensor => !!g)]);
      } finally {
        engine.runKernel = original;
      }
      return count;
    };
    // Forward 2; backward: u = gb·Bᵀ, dλb's (λd⊙xA)·B; dx adds (u⊙λd)·Aᵀ.
    expect(matmuls([d!, db!])).toBe(4);
    expect(matmuls([x!, d!, db!])).toBe(5);
    t.dispose();
  });

  it(`runs op by op above rank ${FUSED_MAX_RANK} (ELoRA's r = 1024), with the same values`, () => {
    const t = build({ r: FUSED_MAX_RANK + 1, lambdas: true, scaling: 1 });
    const fused = leanGradients(() => tf.sum(tf.mul(t.path.forward(t.x), t.g)), t.vars);
    const stock = tf.engine().gradients(() => tf.sum(tf.mul(t.reference(), t.g)), t.vars, undefined, true);
    t.vars.forEach((_, i) => expect(fused.grads[i]!.dataSync()).toEqual(stock.grads[i]!.dataSync()));
    tf.dispose([fused.value, stock.value, ...fused.grads.filter((g): g is tf.Tensor => !!g)]);
    tf.dispose(stock.grads.filter((g): g is tf.Tensor => !!g));
    t.dispose();
  });
});
