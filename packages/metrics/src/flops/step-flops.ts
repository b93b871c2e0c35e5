import { LINEAR_ROLES, type AdapterShape, type EncoderShape, type LinearRole, type StepFlops } from "./shapes.js";

/**
 * Matmul FLOPs of one training step (forward + backward; elementwise ops, softmax,
 * LayerNorm, the optimizer and the embedding lookup are left out), counted the way
 * autodiff with pruning runs them: an input gradient only where some trainable parameter
 * lies upstream of that input, a weight gradient only for trainable weights. Embeddings
 * and LayerNorms are frozen; the head (pooler, classifier) always trains.
 */
export function stepFlops(shape: EncoderShape, adapter: AdapterShape): StepFlops {
  validate(shape, adapter);
  const { layers, hidden: H, heads, ffn: F, seq: S, batch: B } = shape;
  const T = B * S;
  const dh = H / heads;
  const r = adapter.r ?? 0;
  const targets = new Set<LinearRole>(adapter.targets ?? LINEAR_ROLES);
  const dims: Record<LinearRole, [number, number]> = {
    q: [H, H],
    k: [H, H],
    v: [H, H],
    o: [H, H],
    int: [H, F],
    out: [F, H],
  };
  const f = { forward: 0, backwardInput: 0, backwardWeight: 0, adapter: 0, attention: 0, encoderForward: 0 };

  const adapted = (role: LinearRole) => (adapter.kind === "lora" || adapter.kind === "vector") && targets.has(role);
  const matrixTrainable = (layer: number, role: LinearRole, m: "A" | "B") =>
    adapter.matrixTrainable ? adapter.matrixTrainable(layer, role, m) : adapter.kind === "lora";
  /** Does this linear hold a trainable parameter (W0, A, B or a λ vector)? */
  const hasTrainable = (layer: number, role: LinearRole) =>
    adapter.kind === "full" ||
    (adapted(role) &&
      (adapter.kind === "vector" || matrixTrainable(layer, role, "A") || matrixTrainable(layer, role, "B")));

  /** One linear on `rows` rows; returns whether its output carries a gradient. */
  const linear = (layer: number, role: LinearRole, rows: number, inputTracked: boolean): boolean => {
    const [din, dout] = dims[role];
    const w = 2 * rows * din * dout;
    f.forward += w;
    f.encoderForward += w;
    if (inputTracked) f.backwardInput += w;
    if (adapter.kind === "full") f.backwardWeight += w;
    if (adapted(role)) {
      const down = 2 * rows * din * r; // x·A (and its transposes)
      const up = 2 * rows * r * dout; // h·B
      const aTrain = matrixTrainable(layer, role, "A");
      const bTrain = matrixTrainable(layer, role, "B");
      // The r-wide intermediate needs a gradient when anything before B trains or the input is tracked.
      const hTracked = inputTracked || aTrain || adapter.kind === "vector";
      let a = down + up;
      f.forward += down + up;
      f.encoderForward += down + up;
      // dh = dy·Bᵀ
      if (hTracked) {
        a += up;
        f.backwardInput += up;
      }
      // dB = hᵀ·dy
      if (bTrain) {
        a += up;
        f.backwardWeight += up;
      }
      // dA = xᵀ·dh
      if (aTrain) {
        a += down;
        f.backwardWeight += down;
      }
      // dx += dh·Aᵀ
      if (inputTracked) {
        a += down;
        f.backwardInput += down;
      }
      f.adapter += a;
    }
    return inputTracked || hasTrainable(layer, role);
  };

  // Input of layer 0 comes from the frozen embeddings: no gradient flows into it.
  let tracked = false;
  for (let l = 0; l < layers; l++) {
    const q = linear(l, "q", T, tracked);
    const k = linear(l, "k", T, tracked);
    const v = linear(l, "v", T, tracked);
    const product = 2 * B * heads * S * S * dh; // one of QKᵀ, PV
    let attn = 2 * product;
    let attnBack = (q ? product : 0) + (k ? product : 0); // dQ = dS·K, dK = dSᵀ·Q
    const scores = q || k;
    let positions = false;
    if (shape.relativePositions) {
      // c2p = Q·K_rᵀ and p2c = K·Q_rᵀ against 2·span relative positions; K_r, Q_r are the
      // relative embeddings through the key and query linears (shared weights, adapters included).
      const P = 2 * shape.relativePositions.span;
      const rel = 2 * B * heads * S * P * dh;
      const kr = linear(l, "k", P, false);
      const qr = linear(l, "q", P, false);
      attn += 2 * rel;
      attnBack += (q ? rel : 0) + (kr ? rel : 0) + (k ? rel : 0) + (qr ? rel : 0);
      positions = kr || qr;
    }
    const ctxTracked = scores || positions || v;
    attnBack += (scores || positions ? product : 0) + (v ? product : 0); // dP = dC·Vᵀ, dV = Pᵀ·dC
    f.forward += attn;
    f.encoderForward += attn;
    f.backwardInput += attnBack;
    f.attention += attn + attnBack;
    const o = linear(l, "o", T, ctxTracked);
    const x1: boolean = tracked || o;
    const i: boolean = linear(l, "int", T, x1);
    const out: boolean = linear(l, "out", T, i);
    tracked = x1 || out;
  }
  const labels = shape.labels ?? 2;
  const pooler = (shape.pooler ?? true) ? 2 * B * H * H : 0;
  const classifier = 2 * B * H * labels;
  f.forward += pooler + classifier;
  f.backwardWeight += pooler + classifier;
  if (pooler) f.backwardInput += classifier; // into the pooler's output
  if (tracked) f.backwardInput += pooler || classifier; // into the encoder output
  const total = f.forward + f.backwardInput + f.backwardWeight;
  return {
    forward: f.forward,
    backwardInput: f.backwardInput,
    backwardWeight: f.backwardWeight,
    total,
    adapter: f.adapter,
    attention: f.attention,
    recompute: f.encoderForward,
  };
}

function validate(shape: EncoderShape, adapter: AdapterShape): void {
  for (const key of ["layers", "hidden", "heads", "ffn", "seq", "batch"] as const) {
    const v = shape[key];
    if (!Number.isInteger(v) || v <= 0) throw new Error(`flops: shape.${key} must be a positive integer, got ${v}`);
  }
  if (shape.hidden % shape.heads !== 0)
    throw new Error(`flops: shape.hidden (${shape.hidden}) is not divisible by shape.heads (${shape.heads})`);
  if ((adapter.kind === "lora" || adapter.kind === "vector") && !(Number.isInteger(adapter.r) && adapter.r! > 0)) {
    throw new Error(`flops: adapter.r must be a positive integer for kind "${adapter.kind}", got ${adapter.r}`);
  }
  for (const role of adapter.targets ?? []) {
    if (!(LINEAR_ROLES as readonly string[]).includes(role))
      throw new Error(`flops: adapter.targets has unknown role "${role}" (known: ${LINEAR_ROLES.join(", ")})`);
  }
}
