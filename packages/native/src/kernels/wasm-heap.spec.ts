import type * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { heapView, type WasmHeapBackend } from "./wasm-heap.js";

/** A stand-in BackendWasm whose one tensor sits at `offset` in an 8-float heap. */
function backend(offset: number): WasmHeapBackend {
  const heap = new ArrayBuffer(32);
  return {
    makeOutput: () => ({}) as tf.TensorInfo,
    typedArrayFromHeap: (t) =>
      new Float32Array(
        heap,
        offset,
        t.shape.reduce((p, d) => p * d, 1),
      ),
    disposeData: () => true,
    incRef: () => undefined,
    dataIdMap: { get: () => ({ memoryOffset: offset }) },
  };
}
const tensor = (shape: number[]) => ({ dataId: {}, shape, dtype: "float32" }) as tf.TensorInfo;

describe("heapView", () => {
  it("returns the tensor's view of the heap", () => {
    expect(heapView(backend(8), tensor([2, 3])).length).toBe(6);
  });

  it("names a full wasm heap instead of a bare RangeError or a write at address 0", () => {
    const full =
      /^the wasm heap is full \(a tensor of shape \[4,8\] could not be placed; wasm32 addresses at most 4 GiB\)/;
    expect(() => heapView(backend(8), tensor([4, 8]))).toThrow(full); // past the heap's end
    expect(() => heapView(backend(0), tensor([4, 8]))).toThrow(full); // malloc returned 0
    expect(heapView(backend(0), tensor([0])).length).toBe(0);
  });
});
