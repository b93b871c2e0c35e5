import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import {
  dtypeByteSize,
  halfToFloat,
  isSafetensorsDtype,
  toFloat32,
  typedArrayFor,
  type SafetensorsDtype,
} from "@aflora/core";

interface Entry {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte offset in the file. */
  offset: number;
  bytes: number;
}

/** The safetensors format's own limit on the header; a larger one is a corrupt file. */
const MAX_HEADER_BYTES = 100_000_000;

/**
 * A safetensors file read tensor by tensor: `open` reads only the header, `readFloat32` reads
 * one tensor's bytes at its offset. A 13 GB shard never sits in JS memory as a whole; at most
 * one tensor (plus its float32 copy when stored as F16/BF16) does.
 */
export class LazySafetensors {
  private constructor(
    readonly path: string,
    private fd: number | null,
    private readonly entries: Map<string, Entry>,
  ) {}

  static open(path: string): LazySafetensors {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (e) {
      throw new Error(`safetensors ${path}: cannot open (${(e as Error).message})`);
    }
    try {
      return new LazySafetensors(path, fd, readHeader(fd, path));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  shape(name: string): number[] | undefined {
    return this.entries.get(name)?.shape;
  }

  /** One tensor's values as float32 (F16, BF16 and integer dtypes converted). */
  readFloat32(name: string): Float32Array {
    const e = this.entries.get(name);
    if (!e) throw new Error(`safetensors ${this.path}: no tensor "${name}"`);
    if (this.fd === null) throw new Error(`safetensors ${this.path}: already closed`);
    const buf = new Uint8Array(e.bytes);
    let done = 0;
    while (done < e.bytes) {
      const n = readSync(this.fd, buf, done, Math.min(e.bytes - done, 1 << 30), e.offset + done);
      if (n === 0) throw new Error(`safetensors ${this.path}: tensor "${name}" is cut short (file truncated?)`);
      done += n;
    }
    if (e.dtype === "F16") return halfToFloat32(new Uint16Array(buf.buffer));
    return toFloat32({ dtype: e.dtype, data: typedArrayFor(e.dtype, buf.buffer) });
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

let halfTable: Float32Array | null = null;

/**
 * IEEE half bits → float32 through a 65,536-entry table (built once from core's `halfToFloat`):
 * a lookup per element instead of arithmetic, which matters for LLaMA-7B's 6.7·10⁹ F16 weights.
 */
export function halfToFloat32(bits: Uint16Array): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloat(h);
  }
  const table = halfTable;
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]!]!;
  return out;
}

function readExact(fd: number, length: number, position: number, path: string, what: string): Uint8Array {
  const buf = new Uint8Array(length);
  const n = readSync(fd, buf, 0, length, position);
  if (n !== length) throw new Error(`safetensors ${path}: file too short for the ${what}`);
  return buf;
}

function readHeader(fd: number, path: string): Map<string, Entry> {
  const fail = (msg: string): never => {
    throw new Error(`safetensors ${path}: ${msg}`);
  };
  const size = fstatSync(fd).size;
  const len = new DataView(readExact(fd, 8, 0, path, "8-byte header length").buffer).getBigUint64(0, true);
  if (len > BigInt(Math.min(MAX_HEADER_BYTES, size - 8)))
    fail(`header length ${len} does not fit the file (${size} bytes) or the format's limit`);
  const n = Number(len);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(readExact(fd, n, 8, path, "header")));
  } catch (e) {
    return fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) fail("header is not a JSON object");
  const dataStart = 8 + n;
  const entries = new Map<string, Entry>();
  for (const [name, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === "__metadata__") continue;
    const { dtype, shape, data_offsets: offsets } = (raw ?? {}) as Record<string, unknown>;
    const t = `tensor "${name}"`;
    if (!isSafetensorsDtype(dtype)) fail(`${t}: unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
      fail(`${t}: bad shape ${JSON.stringify(shape)}`);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)
    ) {
      fail(`${t}: bad data_offsets ${JSON.stringify(offsets)}`);
    }
    const [start, end] = offsets as [number, number];
    const dims = shape as number[];
    const bytes = dims.reduce((a, b) => a * b, 1) * dtypeByteSize(dtype as SafetensorsDtype);
    if (end - start !== bytes)
      fail(
        `${t}: shape [${dims.join(", ")}] × ${dtype} needs ${bytes} bytes but data_offsets [${start}, ${end}] hold ${end - start}`,
      );
    if (dataStart + end > size) fail(`${t}: data_offsets [${start}, ${end}] run past the end of the file (truncated?)`);
    entries.set(name, { dtype: dtype as SafetensorsDtype, shape: dims, offset: dataStart + start, bytes });
  }
  return entries;
}
