import * as tf from "@tensorflow/tfjs-core";

/** Marks our kernel configs, so a second install (even from another copy of this module) is a no-op. */
const FAST = Symbol.for("aflora.wasmFastLayout");

type MarkedKernelConfig = tf.KernelConfig & { [FAST]?: tf.KernelConfig };

interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

const TILE = 16;

/**
 * tfjs-backend-wasm's Transpose walks the output in order and reads the input with a large
 * stride (~12 ns per element for a 2048×1024 matrix: cache and TLB misses), and its Sum over
 * leading axes transposes first. A training step transposes activations for every weight
 * gradient (`xᵀ·dy`), splits and merges attention heads, and sums λ and bias gradients over
 * the batch rows: ~20 % of a small step went there. These kernels run the same layouts in
 * cache-sized tiles (transposes) and as row-wise accumulation (leading-axis sums), in the
 * wasm heap. Other permutations and dtypes use the stock kernels.
 */
function fastTranspose(stock: tf.KernelConfig): MarkedKernelConfig {
  return {
    ...stock,
    [FAST]: stock,
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const { perm } = args.attrs as unknown as tf.TransposeAttrs;
      const r = x.shape.length;
      if (x.dtype !== "float32" || r < 2) return stock.kernelFunc(args);
      const be = args.backend as unknown as WasmBackend;
      const outShape = perm.map((p) => x.shape[p]!);
      const swapsLastTwo =
        perm[r - 1] === r - 2 && perm[r - 2] === r - 1 && perm.slice(0, r - 2).every((p, i) => p === i);
      if (swapsLastTwo) {
        const rows = x.shape[r - 2]!;
        const cols = x.shape[r - 1]!;
        const batch = x.shape.slice(0, r - 2).reduce((a, d) => a * d, 1);
        const out = be.makeOutput(outShape, "float32");
        const src = be.typedArrayFromHeap(x);
        const dst = be.typedArrayFromHeap(out);
        for (let b = 0; b < batch; b++) transpose2d(src, dst, b * rows * cols, rows, cols);
        return out;
      }
      if (perm[r - 1] === r - 1) {
        // The innermost axis stays: move whole contiguous rows.
        const inner = x.shape[r - 1]!;
        const out = be.makeOutput(outShape, "float32");
        const src = be.typedArrayFromHeap(x);
        const dst = be.typedArrayFromHeap(out);
        copyRows(src, dst, x.shape, perm, inner);
        return out;
      }
      return stock.kernelFunc(args);
    },
  };
}

function transpose2d(src: Float32Array, dst: Float32Array, base: number, rows: number, cols: number): void {
  // Tiles of TILE×TILE, each written row by row of the output (measured fastest in V8).
  for (let j0 = 0; j0 < cols; j0 += TILE) {
    const j1 = Math.min(j0 + TILE, cols);
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = Math.min(i0 + TILE, rows);
      for (let j = j0; j < j1; j++) {
        const d = base + j * rows;
        for (let i = i0; i < i1; i++) dst[d + i] = src[base + i * cols + j]!;
      }
    }
  }
}

function copyRows(
  src: Float32Array,
  dst: Float32Array,
  shape: readonly number[],
  perm: readonly number[],
  inner: number,
): void {
  const r = shape.length;
  const inStrides = new Array<number>(r);
  inStrides[r - 1] = 1;
  for (let i = r - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1]! * shape[i + 1]!;
  const outShape = perm.map((p) => shape[p]!);
  // Input stride of each output axis, over the outer (row-index) axes only.
  const strides = perm.slice(0, r - 1).map((p) => inStrides[p]!);
  const dims = outShape.slice(0, r - 1);
  const idx = new Array<number>(r - 1).fill(0);
  const rowsTotal = dims.reduce((a, d) => a * d, 1);
  let offset = 0;
  for (let row = 0; row < rowsTotal; row++) {
    dst.set(src.subarray(offset, offset + inner), row * inner);
    for (let a = r - 2; a >= 0; a--) {
      idx[a]!++;
      offset += strides[a]!;
      if (idx[a]! < dims[a]!) break;
      offset -= strides[a]! * dims[a]!;
      idx[a] = 0;
    }
  }
}

function fastSum(stock: tf.KernelConfig): MarkedKernelConfig {
  return {
    ...stock,
    [FAST]: stock,
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
      const r = x.shape.length;
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
      const leading = axes.length > 0 && axes.length < r && axes.every((a, i) => a === i);
      if (x.dtype !== "float32" || !leading) return stock.kernelFunc(args);
      const be = args.backend as unknown as WasmBackend;
      const rows = x.shape.slice(0, axes.length).reduce((a, d) => a * d, 1);
      const kept = x.shape.slice(axes.length);
      const n = kept.reduce((a, d) => a * d, 1);
      const outShape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
      const out = be.makeOutput(outShape, "float32");
      const src = be.typedArrayFromHeap(x);
      const acc = new Float32Array(n);
      for (let i = 0; i < rows; i++) {
        const s = i * n;
        for (let j = 0; j < n; j++) acc[j]! += src[s + j]!;
      }
      be.typedArrayFromHeap(out).set(acc);
      return out;
    },
  };
}

function swap(kernelName: string, make: (stock: tf.KernelConfig) => MarkedKernelConfig): boolean {
  const current = tf.getKernel(kernelName, "wasm") as MarkedKernelConfig | undefined;
  if (!current) return false;
  if (current[FAST]) return true;
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel(make(current));
  return true;
}

function restore(kernelName: string): void {
  const current = tf.getKernel(kernelName, "wasm") as MarkedKernelConfig | undefined;
  const stock = current?.[FAST];
  if (!stock) return;
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel(stock);
}

/** Replaces the wasm Transpose and Sum kernels with cache-friendly ones (same values). Idempotent; false without tfjs-backend-wasm. */
export function installWasmFastLayout(): boolean {
  return swap(tf.Transpose, fastTranspose) && swap(tf.Sum, fastSum);
}

export function uninstallWasmFastLayout(): void {
  restore(tf.Transpose);
  restore(tf.Sum);
}
