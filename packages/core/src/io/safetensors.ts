import { constants as fsConstants, type Stats } from "node:fs";
import { open, stat } from "node:fs/promises";
import { constants as bufferConstants } from "node:buffer";

/** Element types of the safetensors format that aflora reads and writes. */
export type SafetensorsDtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL";

/**
 * Typed storage per dtype: F16 and BF16 keep their raw 16-bit patterns (Uint16Array; see
 * `toFloat32`), I64 is a BigInt64Array, BOOL a Uint8Array of 0/1.
 */
export type SafetensorsData =
  Float64Array | Float32Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsData;
}

export interface SafetensorsFile {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

const BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** The format's own limit; a larger header is a corrupt or hostile file. */
const MAX_HEADER_BYTES = 100_000_000;

export function isSafetensorsDtype(s: unknown): s is SafetensorsDtype {
  return typeof s === "string" && Object.prototype.hasOwnProperty.call(BYTES, s);
}

export function dtypeByteSize(dtype: SafetensorsDtype): number {
  return BYTES[dtype];
}

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  start: number;
  end: number;
}

/** Parses and validates only the header (names, dtypes, shapes, offsets) without touching tensor data. */
export function readSafetensorsHeader(
  bytes: Uint8Array,
  source: string,
): { entries: HeaderEntry[]; metadata: Record<string, string>; dataStart: number } {
  const fail = (msg: string): never => {
    throw new Error(`safetensors ${source}: ${msg}`);
  };
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8))
    fail(`header length ${n64} exceeds the ${bytes.length - 8} bytes after the length field (truncated file?)`);
  if (n64 > BigInt(MAX_HEADER_BYTES))
    fail(`header length ${n64} exceeds the format's limit of ${MAX_HEADER_BYTES} bytes`);
  const n = Number(n64);
  if (n < 2) fail(`header length ${n} is too small for a JSON object`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail("header is not valid UTF-8");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) fail("header is not a JSON object");
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw))
        fail(`"__metadata__" is not an object of strings`);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`"__metadata__.${k}" is ${JSON.stringify(v)}, not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const t = `tensor "${name}"`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail(`${t}: entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (!isSafetensorsDtype(dtype))
      fail(`${t}: unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(BYTES).join(", ")})`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      fail(`${t}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)
    ) {
      fail(`${t}: data_offsets ${JSON.stringify(offsets)} is not [start, end] with non-negative integers`);
    }
    const [start, end] = offsets as [number, number];
    if (end < start) fail(`${t}: data_offsets [${start}, ${end}] end before they start`);
    if (end > dataLength)
      fail(`${t}: data_offsets [${start}, ${end}] run past the ${dataLength} data bytes (truncated file?)`);
    const dims = shape as number[];
    const expected = dims.reduce((a, b) => a * b, 1) * BYTES[dtype as SafetensorsDtype];
    if (end - start !== expected) {
      fail(
        `${t}: shape [${dims.join(", ")}] × ${dtype} needs ${expected} bytes but data_offsets [${start}, ${end}] hold ${end - start}`,
      );
    }
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape: dims, start, end });
  }
  const sorted = [...entries].sort((a, b) => a.start - b.start || a.end - b.end);
  let cursor = 0;
  let prev: HeaderEntry | null = null;
  for (const e of sorted) {
    if (e.start < cursor)
      fail(
        `tensor "${e.name}": data_offsets [${e.start}, ${e.end}] overlap tensor "${prev!.name}" [${prev!.start}, ${prev!.end}]`,
      );
    if (e.start > cursor)
      fail(`tensor "${e.name}": ${e.start - cursor} unused bytes before its data_offsets [${e.start}, ${e.end}]`);
    cursor = e.end;
    prev = e;
  }
  if (cursor !== dataLength)
    fail(`${dataLength - cursor} unused bytes after the last tensor's data (data ends at ${cursor} of ${dataLength})`);
  return { entries, metadata, dataStart };
}

/**
 * Reads a safetensors file strictly: bad header length, non-JSON header, unknown dtypes,
 * shape/size mismatches, overlapping, out-of-range or unused bytes are each one error naming
 * `source` and the tensor. Tensor data is copied into fresh, aligned typed arrays.
 */
export function readSafetensors(bytes: Uint8Array, source: string): SafetensorsFile {
  const { entries, metadata, dataStart } = readSafetensorsHeader(bytes, source);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of entries) {
    // A fresh buffer (Node's Buffer.slice would return a view into a shared pool) that is aligned for the dtype.
    const copy = new Uint8Array(e.end - e.start);
    copy.set(bytes.subarray(dataStart + e.start, dataStart + e.end));
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: typedArrayFor(e.dtype, copy.buffer) });
  }
  return { tensors, metadata };
}

export async function readSafetensorsFile(path: string): Promise<SafetensorsFile> {
  return readSafetensors(await readWeightFileBytes(path, "safetensors "), path);
}

/**
 * Reads a weight file whole, refusing anything but a regular file (after following symlinks, as
 * the Hugging Face cache uses them): a FIFO would block forever and `/dev/zero` would grow without
 * end. The size is taken from the open file, so the read is bounded by what `stat` said.
 */
export async function readWeightFileBytes(path: string, prefix = ""): Promise<Uint8Array> {
  const fail = (msg: string): never => {
    throw new Error(`${prefix}${path}: ${msg}`);
  };
  const info = await stat(path).catch((e: Error) => fail(`cannot read file (${e.message})`));
  if (!info.isFile()) fail(`is ${describeFileType(info)}, not a regular file; refusing to read it as weights`);
  // O_NONBLOCK: if the path was swapped for a FIFO after stat, open must not wait for a writer.
  const flags = fsConstants.O_RDONLY | fsConstants.O_NONBLOCK;
  const handle = await open(path, flags).catch((e: Error) => fail(`cannot open file (${e.message})`));
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) fail(`is ${describeFileType(opened)}, not a regular file; refusing to read it as weights`);
    const size = opened.size;
    if (size > bufferConstants.MAX_LENGTH) {
      fail(`is ${size} bytes, more than this Node.js can hold in one buffer (${bufferConstants.MAX_LENGTH})`);
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(bytes, at, Math.min(size - at, 1 << 30), at);
      if (bytesRead === 0) fail(`ended after ${at} of its ${size} bytes (was it truncated while being read?)`);
      at += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

function describeFileType(info: Stats): string {
  if (info.isDirectory()) return "a directory";
  if (info.isFIFO()) return "a FIFO (named pipe)";
  if (info.isCharacterDevice()) return "a character device";
  if (info.isBlockDevice()) return "a block device";
  if (info.isSocket()) return "a socket";
  return "not a regular file";
}

/** The typed array each dtype is read into (F16/BF16 as raw Uint16 bits; see `toFloat32`). */
export function typedArrayFor(dtype: SafetensorsDtype, buf: ArrayBuffer): SafetensorsData {
  switch (dtype) {
    case "F64":
      return new Float64Array(buf);
    case "F32":
      return new Float32Array(buf);
    case "F16":
    case "BF16":
      return new Uint16Array(buf);
    case "I64":
      return new BigInt64Array(buf);
    case "I32":
      return new Int32Array(buf);
    case "I16":
      return new Int16Array(buf);
    case "I8":
      return new Int8Array(buf);
    case "U8":
    case "BOOL":
      return new Uint8Array(buf);
  }
}

/** IEEE half (binary16) bits → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** number → IEEE half bits, rounding to nearest even (what PyTorch's `.half()` does). */
export function floatToHalf(v: number): number {
  const f32 = new Float32Array([v]);
  const x = new Uint32Array(f32.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    let half = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** number → bfloat16 bits, rounding to nearest even. */
export function floatToBf16(v: number): number {
  const f32 = new Float32Array([v]);
  const x = new Uint32Array(f32.buffer)[0]!;
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return ((x >>> 16) | 0x40) & 0xffff;
  const rounded = x + 0x7fff + ((x >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** Any numeric tensor's values as float32 (F16/BF16 decoded; integers and booleans converted). */
export function toFloat32(t: Pick<SafetensorsTensor, "dtype" | "data">): Float32Array {
  const { dtype, data } = t;
  if (dtype === "F32") return data as Float32Array;
  const n = data.length;
  const out = new Float32Array(n);
  if (dtype === "BF16") {
    const bits = new Uint32Array(out.buffer);
    const src = data as Uint16Array;
    for (let i = 0; i < n; i++) bits[i] = src[i]! << 16;
    return out;
  }
  if (dtype === "F16") {
    const src = data as Uint16Array;
    for (let i = 0; i < n; i++) out[i] = halfToFloat(src[i]!);
    return out;
  }
  if (dtype === "I64") {
    const src = data as BigInt64Array;
    for (let i = 0; i < n; i++) out[i] = Number(src[i]!);
    return out;
  }
  out.set(data as ArrayLike<number>);
  return out;
}

/** A tensor to write: data in its dtype's storage (see SafetensorsData), or float32 values for F16/BF16/F32/F64. */
export interface SafetensorsInput {
  dtype: SafetensorsDtype;
  shape: readonly number[];
  data: SafetensorsData | Float32Array;
}

/**
 * Serialises tensors as safetensors: header JSON space-padded so data starts at an 8-byte
 * boundary, tensors laid out by decreasing alignment then name (as the Hugging Face writer does).
 */
export function writeSafetensors(
  tensors: Record<string, SafetensorsInput>,
  metadata?: Record<string, string>,
): Uint8Array {
  const names = Object.keys(tensors).sort(
    (a, b) => BYTES[tensors[b]!.dtype] - BYTES[tensors[a]!.dtype] || (a < b ? -1 : a > b ? 1 : 0),
  );
  const header: Record<string, unknown> = {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    if (name === "__metadata__")
      throw new Error(`writeSafetensors: "__metadata__" is reserved and cannot name a tensor`);
    const t = tensors[name]!;
    if (!isSafetensorsDtype(t.dtype))
      throw new Error(`writeSafetensors: tensor "${name}" has unknown dtype ${JSON.stringify(t.dtype)}`);
    const bytes = encodeData(name, t);
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new Error(`writeSafetensors: metadata "${k}" must be a string, got ${typeof v}`);
    }
    header["__metadata__"] = metadata;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

function encodeData(name: string, t: SafetensorsInput): Uint8Array {
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) {
    throw new Error(
      `writeSafetensors: tensor "${name}" has shape [${t.shape.join(", ")}] (${count} values) but ${t.data.length} values`,
    );
  }
  let typed: SafetensorsData;
  if ((t.dtype === "F16" || t.dtype === "BF16") && t.data instanceof Float32Array) {
    const enc = t.dtype === "F16" ? floatToHalf : floatToBf16;
    const u = new Uint16Array(count);
    for (let i = 0; i < count; i++) u[i] = enc(t.data[i]!);
    typed = u;
  } else if (t.dtype === "F64" && t.data instanceof Float32Array) {
    typed = Float64Array.from(t.data);
  } else {
    const want = typedArrayFor(t.dtype, new ArrayBuffer(0));
    if (want.constructor !== t.data.constructor) {
      throw new Error(
        `writeSafetensors: tensor "${name}" is ${t.dtype} but its data is a ${t.data.constructor.name}, expected ${want.constructor.name}`,
      );
    }
    typed = t.data as SafetensorsData;
  }
  // Little-endian hosts only (every platform Node ships for), so the typed array's bytes are the file's bytes.
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}
