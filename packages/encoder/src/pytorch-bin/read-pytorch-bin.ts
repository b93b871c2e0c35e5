import { readFile } from "node:fs/promises";
import { dtypeByteSize, typedArrayFor, type SafetensorsFile, type SafetensorsTensor } from "@aflora/core";
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
    throw new Error(`${source}: expected exactly one data.pkl in the archive, found ${pkl.length === 0 ? "none" : pkl.join(", ")} (is this a torch.save file?)`);
  }
  const prefix = pkl[0]!.slice(0, -"data.pkl".length);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder && new TextDecoder().decode(byteorder.data).trim() !== "little") {
    throw new Error(`${source}: tensors are stored big-endian; only little-endian checkpoints are supported`);
  }
  const root = unpickle(entries.get(pkl[0]!)!.data, { findGlobal: findTorchGlobal, persistentLoad: loadTorchStorage }, `${source} ${pkl[0]}`);
  if (!(root instanceof PyDict)) throw new Error(`${source}: the pickled object is not a state dict (a dict of tensors)`);

  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, value] of root) {
    if (typeof name !== "string") throw new Error(`${source}: state dict key ${String(name)} is not a string`);
    if (!(value instanceof TensorRef)) throw new Error(`${source}: state dict entry "${name}" is not a tensor`);
    tensors.set(name, materialise(name, value, entries, prefix, source));
  }
  return { tensors, metadata: { format: "pt" } };
}

export async function readPytorchBinFile(path: string): Promise<SafetensorsFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read file (${(e as Error).message})`);
  }
  return readPytorchBin(bytes, path);
}

function materialise(name: string, t: TensorRef, entries: Map<string, ZipEntry>, prefix: string, source: string): SafetensorsTensor {
  const fail = (msg: string): never => {
    throw new Error(`${source}: tensor "${name}": ${msg}`);
  };
  const { dtype, key, numel } = t.storage;
  const entry = entries.get(`${prefix}data/${key}`);
  if (!entry) return fail(`its storage ${prefix}data/${key} is missing from the archive`);
  const size = dtypeByteSize(dtype);
  if (entry.data.length !== numel * size) fail(`storage ${key} holds ${entry.data.length} bytes, but ${numel} × ${dtype} need ${numel * size}`);
  const count = t.shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(count * size);
  if (count > 0) {
    // Last element reached by the view: offset + Σ (size_i − 1)·stride_i.
    const last = t.offset + t.shape.reduce((acc, d, i) => acc + (d - 1) * t.stride[i]!, 0);
    if (last >= numel) fail(`view (offset ${t.offset}, size [${t.shape}], stride [${t.stride}]) reads past its ${numel}-element storage`);
    if (isContiguous(t.shape, t.stride)) {
      out.set(entry.data.subarray(t.offset * size, (t.offset + count) * size));
    } else {
      gatherStrided(entry.data, out, t, size);
    }
  }
  return { dtype, shape: [...t.shape], data: typedArrayFor(dtype, out.buffer) };
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
