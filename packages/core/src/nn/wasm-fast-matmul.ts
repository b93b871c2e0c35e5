import * as tf from "@tensorflow/tfjs-core";

/** Marks our kernel config, so a second install (even from another copy of this module) is a no-op. */
const FAST = Symbol.for("aflora.wasmFastMatMul");

type MarkedKernelConfig = tf.KernelConfig & { [FAST]?: tf.KernelConfig };

/** The parts of tfjs-backend-wasm's BackendWasm this kernel uses. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  disposeData(dataId: tf.DataId): boolean;
}

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/**
 * tfjs-backend-wasm runs a matmul through XNNPACK (~20 GFLOP/s here) only when it is 2-D
 * (batch 1) with neither operand transposed; everything else falls to a scalar loop
 * (~1 GFLOP/s). This kernel turns every BatchMatMul into that form: explicit transposes
 * (the wasm Transpose kernel is fast), batch entries sliced by copying within the wasm
 * heap, and a shared 2-D right operand folded into one tall matmul.
 */
function fastKernel(stock: tf.KernelConfig): MarkedKernelConfig {
  const run = stock.kernelFunc;
  return {
    ...stock,
    [FAST]: stock,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const a = inputs.a as tf.TensorInfo;
      const b = inputs.b as tf.TensorInfo;
      const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
      const batchA = size(a.shape.slice(0, -2));
      const batchB = size(b.shape.slice(0, -2));
      if (
        (!transposeA && !transposeB && batchA === 1 && batchB === 1) ||
        a.dtype !== "float32" ||
        b.dtype !== "float32"
      ) {
        return run(args);
      }
      const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
      const batch = size(outBatch);
      if ((batchA !== 1 && batchA !== batch) || (batchB !== 1 && batchB !== batch)) return run(args);
      const be = backend as unknown as WasmBackend;
      const transposeKernel = tf.getKernel(tf.Transpose, "wasm")!.kernelFunc;
      const swap = (t: tf.TensorInfo) => {
        const perm = t.shape.map((_, i) => i);
        [perm[t.shape.length - 2], perm[t.shape.length - 1]] = [perm[t.shape.length - 1]!, perm[t.shape.length - 2]!];
        return transposeKernel({ inputs: { x: t }, backend, attrs: { perm } }) as tf.TensorInfo;
      };
      const a2 = transposeA ? swap(a) : a;
      const b2 = transposeB ? swap(b) : b;
      const [m, k] = a2.shape.slice(-2) as [number, number];
      const n = b2.shape[b2.shape.length - 1]!;
      const plain = { transposeA: false, transposeB: false };
      let out: tf.TensorInfo;
      if (batchB === 1) {
        // b is shared (its batch dims are all 1, so the output's are a's): one tall matmul
        // over every batch entry's rows (the stock kernel reshapes by dataId, no copy).
        out = run({
          inputs: { a: { ...a2, shape: [batchA * m, k] }, b: { ...b2, shape: [k, n] } },
          backend,
          attrs: plain,
        }) as tf.TensorInfo;
        out.shape = [...outBatch, m, n];
      } else {
        out = loop();
      }
      if (a2 !== a) be.disposeData(a2.dataId);
      if (b2 !== b) be.disposeData(b2.dataId);
      return out;

      function loop(): tf.TensorInfo {
        const result = be.makeOutput([...outBatch, m, n], "float32");
        const sa = be.makeOutput([m, k], "float32");
        for (let p = 0; p < batch; p++) {
          // A fresh right operand per entry: XNNPACK caches its packed weights by tensor id.
          const sb = be.makeOutput([k, n], "float32");
          const ia = batchA === 1 ? 0 : p;
          const ib = batchB === 1 ? 0 : p;
          be.typedArrayFromHeap(sa).set(be.typedArrayFromHeap(a2).subarray(ia * m * k, (ia + 1) * m * k));
          be.typedArrayFromHeap(sb).set(be.typedArrayFromHeap(b2).subarray(ib * k * n, (ib + 1) * k * n));
          const r = run({ inputs: { a: sa, b: sb }, backend, attrs: plain }) as tf.TensorInfo;
          be.typedArrayFromHeap(result).set(be.typedArrayFromHeap(r), p * m * n);
          be.disposeData(r.dataId);
          be.disposeData(sb.dataId);
        }
        be.disposeData(sa.dataId);
        return result;
      }
    },
  };
}

/**
 * Replaces the wasm backend's BatchMatMul kernel with one that runs every matmul (batched,
 * transposed, forward and backward) as 2-D non-transposed XNNPACK matmuls. Same values;
 * idempotent and silent. Returns false when tfjs-backend-wasm is not loaded.
 */
export function installWasmFastMatMul(): boolean {
  const current = tf.getKernel(tf.BatchMatMul, "wasm") as MarkedKernelConfig | undefined;
  if (!current) return false;
  if (current[FAST]) return true;
  tf.unregisterKernel(tf.BatchMatMul, "wasm");
  tf.registerKernel(fastKernel(current));
  return true;
}

/** Restores tfjs-backend-wasm's own BatchMatMul kernel (for comparisons). */
export function uninstallWasmFastMatMul(): void {
  const current = tf.getKernel(tf.BatchMatMul, "wasm") as MarkedKernelConfig | undefined;
  const stock = current?.[FAST];
  if (!stock) return;
  tf.unregisterKernel(tf.BatchMatMul, "wasm");
  tf.registerKernel(stock);
}

export function wasmFastMatMulInstalled(): boolean {
  return Boolean((tf.getKernel(tf.BatchMatMul, "wasm") as MarkedKernelConfig | undefined)?.[FAST]);
}
