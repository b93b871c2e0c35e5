import {
  dtypeByteSize,
  readWeightFileBytes,
  typedArrayFor,
  type SafetensorsFile,
  type SafetensorsTensor,
} from "@aflora/core";
import { unpickle, PyDict } from "./pickle-machine.js";
import { findTorchGlobal, loadTorchStorage, TensorRef } from "./torch-globals.js";
import { readZip, type ZipEntry } from "./zip-reader.js";

/**
 * Reads a `pytorch_model.bin` written by `torch.save` (the zip format of PyTorch ≥ 1.6) into the
 * same shape as core's `readSafetensors`: one typed array per tensor in its stored dtype. Only
 * a plain state dict is accepted: the pickle may use the whitelisted globals of
 * `torch-globals.ts` and nothing else, so a hostile file cannot run code.
 */
export function readPytorchBin(bytes: Uint8Array, source: string): SafetensorsFile {
  const entries = readZip(bytes, source);
  const pkl = [...entries.keys()].filter((n) => n === "data.pkl" || n.endsWith("/data.pkl"));
  if (pkl.length !== 1) {
    throw new Error(
      `${source}: expected exactly one data.pkl in the archive, found ${pkl.length === 0 ? "none" : pkl.join(", ")} (is this a torch.save file?)`,
    );
  }
  const prefix = pkl[0]!.slice(0, -"data.pkl".length);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder && (byteorder.size > 16 || new TextDecoder().decode(byteorder.read()).trim() !== "little")) {
    throw new Error(`${source}: tensors are stored big-endian; only little-endian checkpoints are supported`);
  }
  const root = unpickle(
    entries.get(pkl[0]!)!.read(),
    { findGlobal: findTorchGlobal, persistentLoad: loadTorchStorage },
    `${source} ${pkl[0]}`,
  );
  if (!(root instanceof PyDict))
    throw new Error(`${source}: the pickled object is not a state dict (a dict of tensors)`);

  const tensors = new Map<string, SafetensorsTensor>();
  // Tied weights may share a storage, but tensors need never exceed a few times the archive's data.
  const stored = [...entries.values()].reduce((a, e) => a + e.size, 0);
  let budget = 4 * stored + (1 << 20);
  for (const [name, value] of root) {
    if (typeof name !== "string") throw new Error(`${source}: state dict key ${String(name)} is not a string`);
    if (!(value instanceof TensorRef)) throw new Error(`${source}: state dict entry "${name}" is not a tensor`);
    const reserve = (bytes: number) => {
      budget -= bytes;
      if (budget < 0) {
        throw new Error(
          `${source}: tensors up to "${name}" would take more than 4 × the archive's ${stored} data bytes (views repeating shared storage)`,
        );
      }
    };
    tensors.set(name, materialise(name, value, entries, prefix, source, reserve));
  }
  return { tensors, metadata: { format: "pt" } };
}

export async function readPytorchBinFile(path: string): Promise<SafetensorsFile> {
  return readPytorchBin(await readWeightFileBytes(path), path);
}

function materialise(
  name: string,
  t: TensorRef,
  entries: Map<string, ZipEntry>,
  prefix: string,
  source: string,
  reserve: (bytes: number) => void,
): SafetensorsTensor {
  const fail = (msg: string): never => {
    throw new Error(`${source}: tensor "${name}": ${msg}`);
  };
  const { dtype, key, numel } = t.storage;
  const entry = entries.get(`${prefix}data/${key}`);
  if (!entry) return fail(`its storage ${prefix}data/${key} is missing from the archive`);
  const size = dtypeByteSize(dtype);
  if (entry.size !== numel * size)
    fail(`storage ${key} holds ${entry.size} bytes, but ${numel} × ${dtype} need ${numel * size}`);
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (count > 0) {
    // Checked before allocating: a view that repeats or overlaps elements could claim far more than its storage holds.
    const problem = viewProblem(t.shape, t.stride);
    if (problem)
      fail(`view (offset ${t.offset}, size [${t.shape}], stride [${t.stride}]) ${problem}; refusing to expand it`);
    // Last element reached by the view: offset + Σ (size_i − 1)·stride_i.
    const last = t.offset + t.shape.reduce((acc, d, i) => acc + (d - 1) * t.stride[i]!, 0);
    if (last >= numel)
      fail(
        `view (offset ${t.offset}, size [${t.shape}], stride [${t.stride}]) reads past its ${numel}-element storage`,
      );
  }
  reserve(count * size);
  const out = new Uint8Array(count * size);
  if (count > 0) {
    const data = entry.read();
    if (isContiguous(t.shape, t.stride)) {
      out.set(data.subarray(t.offset * size, (t.offset + count) * size));
    } else {
      gatherStrided(data, out, t, size);
    }
  }
  return { dtype, shape: [...t.shape], data: typedArrayFor(dtype, out.buffer) };
}

/**
 * Why a strided view is not a plain (possibly permuted) layout of distinct elements, or null.
 * Sorted by stride, each dimension must step past everything the smaller ones reach; this refuses
 * stride 0 (expand) and any overlap, and bounds the view's elements by its storage's.
 */
export function viewProblem(shape: readonly number[], stride: readonly number[]): string | null {
  const dims = shape.map((n, i) => ({ n, s: stride[i]!, i })).filter((d) => d.n > 1);
  const zero = dims.find((d) => d.s === 0);
  if (zero) return `has stride 0 in dimension ${zero.i} of size ${zero.n} (a broadcast view repeating one element)`;
  dims.sort((a, b) => a.s - b.s);
  let reach = 0;
  for (const d of dims) {
    if (d.s <= reach) return `overlaps itself (dimension ${d.i} with stride ${d.s} revisits elements)`;
    reach += (d.n - 1) * d.s;
  }
  return null;
}

function isContiguous(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

/** Copies a non-contiguous view (a transposed weight saved without .contiguous()) into row-major order. */
function gatherStrided(src: Uint8Array, dst: Uint8Array, t: TensorRef, size: number): void {
  const rank = t.shape.length;
  const index = new Array<number>(rank).fill(0);
  const count = dst.length / size;
  let from = t.offset;
  for (let n = 0; n < count; n++) {
    dst.set(src.subarray(from * size, (from + 1) * size), n * size);
    for (let d = rank - 1; d >= 0; d--) {
      index[d]!++;
      from += t.stride[d]!;
      if (index[d]! < t.shape[d]!) break;
      from -= index[d]! * t.stride[d]!;
      index[d] = 0;
    }
  }
}
