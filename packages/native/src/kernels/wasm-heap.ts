import type * as tf from "@tensorflow/tfjs-core";

/** The parts of tfjs-backend-wasm's BackendWasm the native kernels use (the native backend is that instance). */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  disposeData(dataId: tf.DataId): boolean;
  incRef(dataId: tf.DataId): void;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/**
 * The Float32Array view of a tensor in the wasm heap. A failed allocation (the 4 GiB wasm32 heap is
 * full) shows up here as an out-of-range view; say so instead of "Invalid typed array length".
 */
export function heapView(be: WasmHeapBackend, t: tf.TensorInfo): Float32Array {
  const full = () =>
    new Error(
      `the wasm heap is full (a tensor of shape [${t.shape}] could not be placed; wasm32 addresses at most 4 GiB): ` +
        "this step needs per-layer recomputation (recompute: true) or a smaller batch",
    );
  // malloc's failure value: a non-empty tensor at address 0 would overwrite the heap's start.
  if (sizeOf(t.shape) > 0 && be.dataIdMap.get(t.dataId)?.memoryOffset === 0) throw full();
  try {
    return be.typedArrayFromHeap(t);
  } catch (e) {
    if (e instanceof RangeError) throw full();
    throw e;
  }
}
