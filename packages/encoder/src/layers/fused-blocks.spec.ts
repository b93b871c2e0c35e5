import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { FusedKernels, leanGradients } from "@aflora/core"; // also registers TensorFlow.js gradients
import { describe, expect, it } from "vitest";
import { maskRows } from "../models/deberta-v2/deberta-embeddings.js";
import { getActivation } from "./activations.js";
import { dropout } from "./dropout.js";
import { mergeHeads, scaledMaskedSoftmax, splitHeads, splitHeadsTransposed } from "./head-split.js";
import { LayerNorm } from "./modules.js";

/** Gradients may differ from the unfused ops' autograd only by float32 rounding: |Δ| ≤ TOL · max |g|. */
const TOL = 1e-6;

type Block = (...xs: tf.Tensor[]) => tf.Tensor;

function maxAbs(t: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]!);
}

function expectGradClose(got: tf.Tensor, ref: tf.Tensor, tol = TOL): void {
  expect(got.shape).toEqual(ref.shape);
  const scale = maxAbs(ref);
  expect(scale).toBeGreaterThan(0);
  expect(tf.tidy(() => maxAbs(tf.sub(got, ref)))).toBeLessThanOrEqual(tol * scale);
}

/**
 * The fused block's forward is bit-identical to the unfused ops, and its gradients (through
 * leanGradients and through tfjs's own tf.grads) match the unfused ops' tfjs autograd; no leaks.
 */
function checkBlock(fused: Block, unfused: Block, xs: tf.Tensor[], dy: tf.Tensor, tol = TOL): void {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    expect(Array.from(fused(...xs).dataSync())).toEqual(Array.from(unfused(...xs).dataSync()));
    const ref = tf.grads(unfused)(xs, dy);
    const stock = tf.grads(fused)(xs, dy);
    const lean = leanGradients(() => fused(...xs), xs, dy);
    expect(Array.from(lean.value.dataSync())).toEqual(Array.from(unfused(...xs).dataSync()));
    xs.forEach((_, i) => {
      expectGradClose(lean.grads[i]!, ref[i]!, tol);
      expectGradClose(stock[i]!, ref[i]!, tol);
    });
  });
  expect(tf.memory().numTensors).toBe(before);
}

/** Output shapes of the kernels a backward runs (forward included). */
async function kernelShapes(f: () => tf.TensorContainer): Promise<{ name: string; shapes: number[][] }[]> {
  const info = await tf.profile(() => {
    const out = f();
    tf.dispose(out);
  });
  return info.kernels.map((k) => ({ name: k.name, shapes: k.outputShapes }));
}

describe.each(["cpu", "wasm"])("fused encoder blocks on %s", (backend) => {
  const setup = async () => {
    await tf.setBackend(backend);
    await tf.ready();
  };

  it("LayerNorm: same values, gradients of x, weight and bias; frozen weights cost no kernel", async () => {
    await setup();
    const [n, h] = [6, 10];
    const x = tf.randomNormal([n, h], 0.3, 2, "float32", 1);
    const weight = tf.variable(tf.randomNormal([h], 1, 0.2, "float32", 2));
    const bias = tf.variable(tf.randomNormal([h], 0, 0.2, "float32", 3));
    const dy = tf.randomNormal([n, h], 0, 1, "float32", 4);
    const ln = new LayerNorm("ln", weight, bias, 1e-7);
    const unfused = (xx: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
      const mean = tf.mean(xx, 1, true);
      const centered = tf.sub(xx, mean);
      const variance = tf.mean(tf.square(centered), 1, true);
      const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, 1e-7)));
      return tf.add(tf.mul(normed, w), b);
    };
    // weight and bias enter through the variables; the block reads them, the reference takes them as arguments.
    checkBlock(
      (xx) => ln.apply(xx),
      (xx) => unfused(xx, weight, bias),
      [x],
      dy,
    );
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const ref = tf.grads((xx: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => unfused(xx, w, b))([x, weight, bias], dy);
      const lean = leanGradients(() => ln.apply(x), [x, weight, bias], dy);
      lean.grads.forEach((g, i) => expectGradClose(g!, ref[i]!));
    });
    expect(tf.memory().numTensors).toBe(before);

    // Only x requested: no kernel of the backward produces a [h]-shaped tensor (dweight, dbias).
    const xOnly = await kernelShapes(() => leanGradients(() => ln.apply(x), [x], dy).grads);
    const all = await kernelShapes(() => leanGradients(() => ln.apply(x), [x, weight, bias], dy).grads);
    const paramShaped = (ks: { shapes: number[][] }[]) =>
      ks.filter((k) => k.shapes.some((s) => s.length === 1 && s[0] === h)).length;
    expect(paramShaped(xOnly)).toBe(0);
    expect(paramShaped(all)).toBeGreaterThanOrEqual(2);
    tf.dispose([x, weight, bias, dy]);
  });

  it("LayerNorm keeps only x̂ and the per-row 1/σ on the tape", async () => {
    await setup();
    const x = tf.randomNormal([4, 8], 0, 1, "float32", 5);
    const ln = new LayerNorm("ln", tf.variable(tf.ones([8])), tf.variable(tf.zeros([8])), 1e-5);
    const saved = tapeSaved(() => ln.apply(x), [x]);
    expect(saved).toEqual([
      [4, 8],
      [4, 1],
    ]);
    tf.dispose([x, ln.weight, ln.bias]);
  });

  it.each(["gelu", "gelu_new", "gelu_fast"])("%s: same values, closed-form gradient, keeps only x", async (name) => {
    await setup();
    const act = getActivation(name);
    const x = tf.mul(tf.randomNormal([7, 9], 0, 1, "float32", 6), 3);
    const dy = tf.randomNormal([7, 9], 0, 1, "float32", 7);
    const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    const unfused: Record<string, Block> = {
      gelu: (v) => tf.mul(tf.mul(v, 0.5), tf.add(1, tf.erf(tf.mul(v, Math.SQRT1_2)))),
      gelu_new: (v) =>
        tf.mul(tf.mul(v, 0.5), tf.add(1, tf.tanh(tf.mul(SQRT_2_OVER_PI, tf.add(v, tf.mul(0.044715, tf.pow(v, 3))))))),
      gelu_fast: (v) =>
        tf.mul(
          tf.mul(v, 0.5),
          tf.add(1, tf.tanh(tf.mul(tf.mul(v, 0.7978845608), tf.add(1, tf.mul(0.044715, tf.square(v)))))),
        ),
    };
    checkBlock(act, unfused[name]!, [x], dy);
    expect(tapeSaved(() => act(x), [x])).toEqual([[7, 9]]);
    tf.dispose([x, dy]);
  });

  it("dropout: the same multiplier as tf.dropout for the seed, keeping only it", async () => {
    await setup();
    const ctx = { training: true, seed: 1234 };
    const x = tf.randomNormal([5, 16], 0, 1, "float32", 8);
    const dy = tf.randomNormal([5, 16], 0, 1, "float32", 9);
    const site = "bert.encoder.layer.0.output.dropout";
    const { siteSeed } = await import("./dropout.js");
    const seed = siteSeed(ctx, site);
    checkBlock(
      (v) => dropout(v, 0.3, ctx, site),
      (v) => tf.dropout(v, 0.3, undefined, seed),
      [x],
      dy,
    );
    expect(tapeSaved(() => dropout(x, 0.3, ctx, site), [x])).toEqual([[5, 16]]);
    expect(dropout(x, 0.3, { training: false, seed: 1 }, site)).toBe(x);
    tf.dispose([x, dy]);
  });

  it("scaled masked softmax: same probabilities, gradient from p only (BERT and DeBERTa scales)", async () => {
    await setup();
    const [heads, b, s] = [2, 3, 5];
    const scores = tf.randomNormal([heads * b, s, s], 0, 3, "float32", 10);
    const dy = tf.randomNormal([heads * b, s, s], 0, 1, "float32", 11);
    const padded = tf.tensor([0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], [1, b, 1, s]);
    const keyMask = tf.mul(padded, -3.4028234663852886e38);
    for (const scale of [Math.sqrt(8), Math.sqrt(8 * 3)]) {
      const unfused = (v: tf.Tensor) =>
        tf.reshape(tf.softmax(tf.add(tf.reshape(tf.div(v, scale), [heads, b, s, s]), keyMask)), [heads * b, s, s]);
      checkBlock((v) => scaledMaskedSoftmax(v, scale, keyMask, heads, b, s), unfused, [scores], dy);
    }
    expect(tapeSaved(() => scaledMaskedSoftmax(scores, 2, keyMask, heads, b, s), [scores])).toEqual([
      [heads * b, s, s],
    ]);
    tf.dispose([scores, dy, padded, keyMask]);
  });

  it("head split and merge: the same layouts, nothing kept on the tape", async () => {
    await setup();
    const [b, s, heads, d] = [2, 3, 4, 5];
    const x = tf.randomNormal([b * s, heads * d], 0, 1, "float32", 12);
    const unfusedSplit = (v: tf.Tensor) =>
      tf.reshape(tf.transpose(tf.reshape(v, [b, s, heads, d]), [2, 0, 1, 3]), [heads * b, s, d]);
    const unfusedSplitT = (v: tf.Tensor) =>
      tf.reshape(tf.transpose(tf.reshape(v, [b, s, heads, d]), [2, 0, 3, 1]), [heads * b, d, s]);
    const unfusedMerge = (v: tf.Tensor) =>
      tf.reshape(tf.transpose(tf.reshape(v, [heads, b, s, d]), [1, 2, 0, 3]), [b * s, heads * d]);
    checkBlock(
      (v) => splitHeads(v, b, s, heads),
      unfusedSplit,
      [x],
      tf.randomNormal([heads * b, s, d], 0, 1, "float32", 13),
    );
    checkBlock(
      (v) => splitHeadsTransposed(v, b, s, heads),
      unfusedSplitT,
      [x],
      tf.randomNormal([heads * b, d, s], 0, 1, "float32", 14),
    );
    const y = tf.randomNormal([heads * b, s, d], 0, 1, "float32", 15);
    checkBlock((v) => mergeHeads(v, b, s, heads), unfusedMerge, [y], x);
    expect(tapeSaved(() => mergeHeads(splitHeads(x, b, s, heads), b, s, heads), [x])).toEqual([]);
    tf.dispose([x, y]);
  });

  it("DeBERTa's embedding mask: same values, keeps only the [N, 1] mask", async () => {
    await setup();
    const x = tf.randomNormal([6, 4], 0, 1, "float32", 16);
    const mask = tf.tensor2d([1, 1, 0, 1, 0, 0], [6, 1]);
    const dy = tf.randomNormal([6, 4], 0, 1, "float32", 17);
    checkBlock(
      (v) => maskRows(v, mask),
      (v) => tf.mul(v, mask),
      [x],
      dy,
    );
    expect(tapeSaved(() => maskRows(x, mask), [x])).toEqual([[6, 1]]);
    tf.dispose([x, mask, dy]);
  });
});

describe("fused backward kernels", () => {
  it("LayerNorm and GELU hand their input gradient to the backend's kernel where one is registered", async () => {
    await tf.setBackend("cpu");
    const calls: Record<string, string[]> = {};
    // Stand-ins that record their inputs and answer dy·k, so the test sees which result came back.
    const register = (name: string, k: number) =>
      tf.registerKernel({
        kernelName: name,
        backendName: "cpu",
        kernelFunc: ({ inputs, backend }) => {
          calls[name] = Object.keys(inputs);
          const be = backend as unknown as {
            readSync(id: unknown): Float32Array;
            makeTensorInfo(shape: number[], dtype: "float32", values: Float32Array): tf.TensorInfo;
          };
          const dy = inputs.dy!;
          return be.makeTensorInfo(
            dy.shape,
            "float32",
            be.readSync(dy.dataId).map((v) => v * k),
          );
        },
      });
    register(FusedKernels.GeluGrad, 7);
    register(FusedKernels.LayerNormGrad, 3);
    try {
      const x = tf.randomNormal([3, 4], 0, 1, "float32", 20);
      const dy = tf.randomNormal([3, 4], 0, 1, "float32", 21);
      const ln = new LayerNorm("ln", tf.variable(tf.ones([4])), tf.variable(tf.zeros([4])), 1e-5);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const gelu = leanGradients(() => getActivation("gelu")(x), [x], dy).grads[0]!;
        expect(Array.from(gelu.dataSync())).toEqual(Array.from(tf.mul(dy, 7).dataSync()));
        const norm = leanGradients(() => ln.apply(x), [x], dy).grads[0]!;
        expect(Array.from(norm.dataSync())).toEqual(Array.from(tf.mul(dy, 3).dataSync()));
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(calls[FusedKernels.GeluGrad]!.sort()).toEqual(["dy", "x"]);
      expect(calls[FusedKernels.LayerNormGrad]!.sort()).toEqual(["dy", "rstd", "weight", "xhat"]);
      tf.dispose([x, dy, ln.weight, ln.bias]);
    } finally {
      tf.unregisterKernel(FusedKernels.GeluGrad, "cpu");
      tf.unregisterKernel(FusedKernels.LayerNormGrad, "cpu");
    }
  });
});

/** Shapes of what the tape keeps for the backward of f with respect to xs (read before backprop frees it). */
function tapeSaved(f: () => tf.Tensor, xs: tf.Tensor[]): number[][] {
  interface Node {
    saved?: tf.Tensor[];
  }
  const engine = tf.engine() as unknown as { state: { activeTape: Node[] | null } };
  const shapes: number[][] = [];
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const { value, grads } = leanGradients(
      () => {
        const y = f();
        for (const node of engine.state.activeTape ?? []) for (const t of node.saved ?? []) shapes.push(t.shape);
        return y;
      },
      xs,
      undefined,
    );
    tf.dispose([value, ...grads.filter((g): g is tf.Tensor => g !== undefined)]);
  });
  expect(tf.memory().numTensors).toBe(before);
  return shapes;
}
