import * as tf from "@tensorflow/tfjs-core";
import { fusedOp, leanGradients, Rng, type FusedOpSpec } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { useBackend } from "../../test/backend.js";
import { causalMask } from "./attention-mask.js";
import { lmHeadCrossEntropySpec } from "./cross-entropy.js";
import { gatherRows } from "./gather-rows.js";
import { attentionProbsSpec, repeatKvSpec } from "./attention.js";
import { swiGluSpec } from "./decoder-layer.js";
import { rmsNormSpec } from "./rms-norm.js";
import { ropeInvFreq, rotaryTables, rotarySpec } from "./rotary.js";

// Gradients may differ from the stock ops' only by float32 summation order.
const GRAD_TOLERANCE = 1e-6;

const rand = (rng: Rng, shape: number[], low = -1, high = 1) =>
  tf.tensor(
    rng.uniformArray(
      shape.reduce((p, d) => p * d, 1),
      low,
      high,
    ),
    shape,
  );

/** The spec's gradient with each closure recording its input's name when backprop calls it. */
function recording<I extends string>(spec: FusedOpSpec<I>, called: string[]): FusedOpSpec<I> {
  return {
    ...spec,
    gradient: (dy, saved) => {
      const grads = spec.gradient(dy, saved);
      const out = {} as Record<I, () => tf.Tensor>;
      for (const name of Object.keys(grads) as I[]) out[name] = () => (called.push(name), grads[name]());
      return out;
    },
  };
}

/**
 * The fused node against the unfused ops: forward bitwise equal, the gradient of every input
 * within GRAD_TOLERANCE of max |g| (tfjs's stock autograd), only the requested inputs' closures
 * called, and no tensor left behind. `inputs` are in the order `reference` takes them.
 */
function checkBlock<I extends string>(
  makeSpec: () => FusedOpSpec<I>,
  reference: (...xs: tf.Tensor[]) => tf.Tensor,
  names: I[],
  rng: Rng,
): void {
  const xs = names.map((n) => makeSpec().inputs[n]);
  const before = tf.memory().numTensors;
  const called: string[] = [];
  const fused = fusedOp(recording(makeSpec(), called));
  const unfused = tf.tidy(() => reference(...xs));
  expect(fused.shape).toEqual(unfused.shape);
  expect(Array.from(fused.dataSync())).toEqual(Array.from(unfused.dataSync()));
  const dy = rand(rng, fused.shape);
  tf.dispose([fused, unfused]);

  const lean = leanGradients(() => fusedOp(recording(makeSpec(), called)), xs, dy);
  const stock = tf.grads((...args: tf.Tensor[]) => reference(...args))(xs, dy);
  expect(called).toEqual(names);
  names.forEach((name, i) => {
    const g = lean.grads[i]!.dataSync();
    const want = stock[i]!.dataSync();
    expect(lean.grads[i]!.shape, name).toEqual(xs[i]!.shape);
    const scale = Math.max(...Array.from(want, Math.abs));
    const err = Math.max(...Array.from(want, (w, j) => Math.abs(w - g[j]!)));
    expect(err, `${name}: max error ${err} vs max |g| ${scale}`).toBeLessThanOrEqual(GRAD_TOLERANCE * scale);
  });
  tf.dispose([lean.value, ...lean.grads.filter((g): g is tf.Tensor => g !== undefined), ...stock, dy]);
  expect(tf.memory().numTensors).toBe(before);
}

/** Calls `makeSpec` for one gradient of `requested` only, and returns which closures backprop called. */
function closuresCalled<I extends string>(makeSpec: () => FusedOpSpec<I>, requested: I): string[] {
  const called: string[] = [];
  const before = tf.memory().numTensors;
  const spec = makeSpec();
  const r = leanGradients(() => tf.sum(fusedOp(recording(spec, called))), [spec.inputs[requested]]);
  tf.dispose([r.value, ...r.grads.filter((g): g is tf.Tensor => g !== undefined)]);
  expect(tf.memory().numTensors).toBe(before);
  return called;
}

describe.each(["cpu", "wasm"] as const)("fused decoder blocks on %s", (backend) => {
  useBackend(backend);

  it("RMSNorm: one node, x and the weight's gradients as the stock ops; a frozen weight's closure never runs", () => {
    const rng = new Rng(1);
    const x = rand(rng, [6, 16], -3, 3);
    const weight = tf.variable(rand(rng, [16], 0.5, 1.5), false);
    const eps = 1e-6;
    const reference = (a: tf.Tensor, w: tf.Tensor) =>
      tf.mul(tf.mul(a, tf.rsqrt(tf.add(tf.mean(tf.square(a), 1, true), eps))), w);
    checkBlock(() => rmsNormSpec(x, weight, eps), reference, ["x", "weight"], rng);
    expect(closuresCalled(() => rmsNormSpec(x, weight, eps), "x")).toEqual(["x"]);
    tf.dispose([x, weight]);
  });

  it("SwiGLU silu(gate)·up: gradients of gate and up as the stock ops; each closure only when requested", () => {
    const rng = new Rng(2);
    const gate = rand(rng, [6, 24], -6, 6);
    const up = rand(rng, [6, 24]);
    const reference = (g: tf.Tensor, u: tf.Tensor) => tf.mul(tf.mul(g, tf.sigmoid(g)), u);
    checkBlock(() => swiGluSpec(gate, up), reference, ["gate", "up"], rng);
    expect(closuresCalled(() => swiGluSpec(gate, up), "up")).toEqual(["up"]);
    expect(closuresCalled(() => swiGluSpec(gate, up), "gate")).toEqual(["gate"]);
    tf.dispose([gate, up]);
  });

  it("attention probabilities softmax(scores/√d + mask) with causal and padding masks (a fully masked row too)", () => {
    const rng = new Rng(3);
    // Row 1 is left-padded: its first query sees no key at all.
    const keyMask = Int32Array.from([1, 1, 1, 1, 1, 0, 0, 1, 1, 1]);
    const mask = causalMask(keyMask, 2, 5, 0);
    const scores = rand(rng, [2, 4, 5, 5], -8, 8) as tf.Tensor4D;
    const reference = (s: tf.Tensor) => tf.softmax(tf.add(tf.div(s, Math.sqrt(8)), mask), -1);
    checkBlock(() => attentionProbsSpec(scores, 8, mask), reference, ["scores"], rng);
    tf.dispose([scores, mask]);
  });

  it("rotary embedding (rotate-half) keeps no activation; its gradient is the inverse rotation", () => {
    const rng = new Rng(4);
    const positions = Int32Array.from([0, 1, 2, 3, 4, 0, 0, 0, 1, 2]);
    const { cos, sin } = rotaryTables(positions, 2, 5, ropeInvFreq(8, 10000));
    const x = rand(rng, [2, 3, 5, 8]) as tf.Tensor4D;
    // HF's rotate_half: cat(−x[d/2:], x[:d/2]).
    const reference = (a: tf.Tensor) => {
      const [x1, x2] = tf.split(a, 2, 3);
      return tf.add(tf.mul(a, cos), tf.mul(tf.concat([tf.neg(x2!), x1!], 3), sin));
    };
    let kept = -1;
    const spec = () => {
      const s = rotarySpec(x, cos, sin);
      return { ...s, gradient: (dy: tf.Tensor, saved: tf.Tensor[]) => ((kept = saved.length), s.gradient(dy, saved)) };
    };
    checkBlock(spec, reference, ["x"], rng);
    // Only the two shared tables (no copy: clones of the same data).
    expect(kept).toBe(2);
    tf.dispose([x, cos, sin]);
  });

  it("GQA repeat_kv: query head h reads kv head ⌊h / n_rep⌋; the gradient sums the copies and keeps nothing", () => {
    const rng = new Rng(5);
    const x = rand(rng, [2, 2, 5, 8]) as tf.Tensor4D;
    const reference = (a: tf.Tensor) => {
      const heads = tf.split(a, 2, 1);
      return tf.concat(
        heads.flatMap((h) => [h, h, h]),
        1,
      );
    };
    let kept = -1;
    const spec = () => {
      const s = repeatKvSpec(x, 3);
      return { ...s, gradient: (dy: tf.Tensor, saved: tf.Tensor[]) => ((kept = saved.length), s.gradient(dy, saved)) };
    };
    checkBlock(spec, reference, ["x"], rng);
    expect(kept).toBe(0);
    tf.dispose(x);
  });

  it("lm_head + causal-LM cross-entropy: loss as the stock ops, keeping only exp(logits − max) and its sums; lm_head's gradient only when requested", () => {
    const rng = new Rng(6);
    const rows = rand(rng, [5, 7], -2, 2) as tf.Tensor2D;
    const lmHead = tf.variable(rand(rng, [11, 7], -2, 2), false) as tf.Variable<tf.Rank.R2>;
    // Target 3 twice: lm_head's gradient accumulates both rows.
    const targets = Int32Array.from([3, 0, 10, 3, 7]);
    const reference = (x: tf.Tensor, w: tf.Tensor) => {
      const z = tf.matMul(x, w, false, true);
      const flat = Int32Array.from(targets, (t, i) => i * 11 + t);
      const picked = tf.reshape(gatherRows(tf.reshape(z, [-1, 1]), flat), [-1]);
      return tf.mean(tf.sub(tf.logSumExp(z, 1), picked));
    };
    let kept: number[] = [];
    const spec = () => {
      const s = lmHeadCrossEntropySpec(rows, lmHead, targets);
      return {
        ...s,
        gradient: (dy: tf.Tensor, saved: tf.Tensor[]) => ((kept = saved.map((t) => t.size)), s.gradient(dy, saved)),
      };
    };
    checkBlock(spec, reference, ["rows", "lmHead"], rng);
    // exp(logits − max) [5, 11], its row sums [5], rows and lm_head (both alive anyway).
    expect(kept).toEqual([55, 5, 35, 77]);
    expect(closuresCalled(() => lmHeadCrossEntropySpec(rows, lmHead, targets), "rows")).toEqual(["rows"]);
    tf.dispose([rows, lmHead]);
  });
});
