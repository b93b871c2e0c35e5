import * as tf from "@tensorflow/tfjs-core";
import { fusedOp, type FusedOpSpec } from "@aflora/core";

/** `inv_freq[i] = 1 / rope_theta^(2i/d)` in float32, as `LlamaRotaryEmbedding` computes it. */
export function ropeInvFreq(headDim: number, ropeTheta: number): Float32Array {
  const out = new Float32Array(headDim / 2);
  for (let i = 0; i < out.length; i++) {
    const exponent = Math.fround((2 * i) / headDim);
    out[i] = Math.fround(1 / Math.fround(Math.pow(Math.fround(ropeTheta), exponent)));
  }
  return out;
}

/**
 * cos and sin [B, 1, S, d] for position ids [B·S]: `angle = p · inv_freq` in float32,
 * `cat(angle, angle)`: the half layout that HF's `rotate_half` pairs with (dimension i with i + d/2).
 */
export function rotaryTables(
  positionIds: Int32Array,
  batchSize: number,
  seqLength: number,
  invFreq: Float32Array,
): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  const half = invFreq.length;
  const d = 2 * half;
  const cos = new Float32Array(batchSize * seqLength * d);
  const sin = new Float32Array(cos.length);
  for (let t = 0; t < batchSize * seqLength; t++) {
    const p = positionIds[t]!;
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * invFreq[i]!);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[t * d + i] = c;
      cos[t * d + half + i] = c;
      sin[t * d + i] = s;
      sin[t * d + half + i] = s;
    }
  }
  return { cos: tf.tensor4d(cos, [batchSize, 1, seqLength, d]), sin: tf.tensor4d(sin, [batchSize, 1, seqLength, d]) };
}

const rotateHalfMatrices = new Map<string, Float32Array>();

/** R [d, d] with x·R = rotate_half(x), or its transpose (= its inverse: R is a signed permutation). */
function rotateHalfMatrix(d: number, inverse: boolean): Float32Array {
  const key = `${d}${inverse ? "T" : ""}`;
  let r = rotateHalfMatrices.get(key);
  if (!r) {
    r = new Float32Array(d * d);
    const half = d / 2;
    for (let i = 0; i < half; i++) {
      r[inverse ? i * d + i + half : (i + half) * d + i] = -1;
      r[inverse ? (i + half) * d + i : i * d + i + half] = 1;
    }
    rotateHalfMatrices.set(key, r);
  }
  return r;
}

/**
 * `rotate_half(x) = cat(−x[d/2:], x[:d/2])` as x·R with a signed permutation R [d, d]: exact
 * (±1 and zeros), and one matmul instead of a split and a concat, which the cpu backend runs slowly.
 * `inverse` multiplies by Rᵀ instead (as a plain matmul: the only form the wasm backend runs fast).
 */
function rotateHalf(x: tf.Tensor4D, inverse = false): tf.Tensor4D {
  const [b, h, s, d] = x.shape;
  const r = tf.tensor2d(rotateHalfMatrix(d, inverse), [d, d]);
  return tf.reshape(tf.matMul(tf.reshape(x, [b * h * s, d]), r), [b, h, s, d]);
}

/**
 * RoPE as one autograd node keeping only the shared cos/sin tables (the stock ops kept x twice,
 * x·R and the tables): y = x ⊙ cos + (x·R) ⊙ sin, so dx = dy ⊙ cos + (dy ⊙ sin)·Rᵀ.
 */
export function rotarySpec(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): FusedOpSpec<"x"> {
  return {
    inputs: { x },
    forward: (save) => {
      // Saved (not captured): the tables belong to the forward's scope; the clones share their data.
      save([cos, sin]);
      return tf.add(tf.mul(x, cos), tf.mul(rotateHalf(x), sin));
    },
    gradient: (dy, [c, s]) => ({
      x: () => tf.add(tf.mul(dy, c!), rotateHalf(tf.mul(dy, s!) as tf.Tensor4D, true)),
    }),
  };
}

/** `q·cos + rotate_half(q)·sin` (HF's half layout: dimension i pairs with i + d/2); x: [B, heads, S, d]. */
export function applyRotary(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  return fusedOp(rotarySpec(x, cos, sin)) as tf.Tensor4D;
}
