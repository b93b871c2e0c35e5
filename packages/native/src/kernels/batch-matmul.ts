import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "../addon.js";
import { sizeOf, type WasmHeapBackend, heapView } from "./wasm-heap.js";

/** The shape facts of one `op(A)·op(B)` with broadcast batch dims. */
interface Plan {
  m: number;
  n: number;
  k: number;
  batch: number;
  batchA: number;
  batchB: number;
  outShape: number[];
  /** Per output batch entry, the batch entry of A and of B it reads (general broadcasting only). */
  entries: [number, number][] | null;
}

/** The flat batch index of `shape` (batch dims only) that output batch index `flat` of `out` reads. */
function broadcastIndex(flat: number, out: readonly number[], shape: readonly number[]): number {
  let index = 0;
  let stride = 1;
  let rest = flat;
  const offset = out.length - shape.length;
  for (let i = out.length - 1; i >= 0; i--) {
    const coord = rest % out[i]!;
    rest = Math.floor(rest / out[i]!);
    const j = i - offset;
    if (j >= 0) {
      index += (shape[j] === 1 ? 0 : coord) * stride;
      stride *= shape[j]!;
    }
  }
  return index;
}

function plan(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): Plan {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== kb) {
    throw new Error(
      `MatMul: inner dimensions differ: [${a.shape}] · [${b.shape}] (transposeA ${transposeA}, transposeB ${transposeB})`,
    );
  }
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = sizeOf(outBatch);
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  // Broadcasts other than "all or one" (e.g. [2,1]·[1,3]) pair entries explicitly.
  const general = (batchA !== 1 && batchA !== batch) || (batchB !== 1 && batchB !== batch);
  const entries = general
    ? Array.from({ length: batch }, (_, p): [number, number] => [
        broadcastIndex(p, outBatch, a.shape.slice(0, -2)),
        broadcastIndex(p, outBatch, b.shape.slice(0, -2)),
      ])
    : null;
  return { m, n, k, batch, batchA, batchB, outShape: [...outBatch, m, n], entries };
}

/**
 * C = op(A)·op(B) into a fresh output, through the CBLAS, reading and writing the wasm heap in place.
 */
export function blasMatMul(
  addon: NativeAddon,
  be: WasmHeapBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo {
  const p = plan(a, b, transposeA, transposeB);
  const { m, n, k, batch, batchA, batchB } = p;
  const out = be.makeOutput(p.outShape, "float32");
  if (m * n === 0) return out;
  // Views only after makeOutput: allocating may grow (and so replace) the heap's buffer.
  const c = heapView(be, out);
  if (k === 0) {
    c.fill(0);
    return out;
  }
  const va = heapView(be, a);
  const vb = heapView(be, b);
  const lda = transposeA ? m : k;
  const ldb = transposeB ? k : n;
  if (batchB === 1 && batchA === batch && !transposeA && batch > 1) {
    // A shared right operand under a batched, untransposed left one: one tall matmul over all rows.
    addon.sgemm(false, transposeB, batch * m, n, k, 1, va, lda, 0, vb, ldb, 0, 0, c, n, 0, 1);
    return out;
  }
  if (p.entries) {
    for (const [q, [ia, ib]] of p.entries.entries()) {
      addon.sgemm(
        transposeA,
        transposeB,
        m,
        n,
        k,
        1,
        va.subarray(ia * m * k),
        lda,
        0,
        vb.subarray(ib * k * n),
        ldb,
        0,
        0,
        c.subarray(q * m * n),
        n,
        0,
        1,
      );
    }
    return out;
  }
  const sa = batchA === 1 ? 0 : m * k;
  const sb = batchB === 1 ? 0 : k * n;
  addon.sgemm(transposeA, transposeB, m, n, k, 1, va, lda, sa, vb, ldb, sb, 0, c, n, m * n, batch);
  return out;
}

/** BatchMatMul (every `tf.matMul`) on the CBLAS: batched, broadcast and transposed forms included. */
export function batchMatMulKernel(addon: NativeAddon, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const a = args.inputs.a as tf.TensorInfo;
    const b = args.inputs.b as tf.TensorInfo;
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (a.dtype !== "float32" || b.dtype !== "float32") return fallback(args);
    return blasMatMul(addon, args.backend as unknown as WasmHeapBackend, a, b, transposeA, transposeB);
  };
}
