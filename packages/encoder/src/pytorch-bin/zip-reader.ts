import { crc32, inflateRawSync } from "node:zlib";

/** One file of a zip archive; `read()` inflates it on first use and checks its CRC-32. */
export interface ZipEntry {
  name: string;
  /** Uncompressed size from the central directory, checked against what deflate could produce. */
  size: number;
  read(): Uint8Array;
}

/** Deflate's best ratio is 1032:1; a directory claiming more is corrupt or a zip bomb. */
const MAX_DEFLATE_RATIO = 1032;

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const U32_MAX = 0xffffffff;

/**
 * Reads the directory of a zip archive (what `torch.save` writes). Entries are read lazily:
 * stored ones as views into `bytes`, deflated ones inflated only when referenced and never past
 * their declared size. Zip64 sizes and offsets are understood because checkpoints beyond 4 GiB
 * use them. Everything is read through the central directory, as unzip does.
 */
export function readZip(bytes: Uint8Array, source: string): Map<string, ZipEntry> {
  const fail = (msg: string): never => {
    throw new Error(`${source}: ${msg}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfCentralDirectory(view);
  if (eocd < 0)
    fail("not a zip archive (no end-of-central-directory record; truncated file, or a pre-1.6 PyTorch legacy file?)");
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === U32_MAX || cdOffset === U32_MAX) {
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== EOCD64_LOCATOR)
      fail("zip64 sizes announced but the zip64 locator is missing");
    const rec = safeNumber(view.getBigUint64(loc + 8, true), "zip64 record offset", fail);
    if (rec + 56 > bytes.length || view.getUint32(rec, true) !== EOCD64)
      fail(`zip64 end record not found at byte ${rec}`);
    count = safeNumber(view.getBigUint64(rec + 32, true), "entry count", fail);
    cdSize = safeNumber(view.getBigUint64(rec + 40, true), "central directory size", fail);
    cdOffset = safeNumber(view.getBigUint64(rec + 48, true), "central directory offset", fail);
  }
  if (cdOffset + cdSize > bytes.length)
    fail(
      `central directory (bytes ${cdOffset}..${cdOffset + cdSize}) runs past the end of the ${bytes.length}-byte file (truncated?)`,
    );

  const entries = new Map<string, ZipEntry>();
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdOffset + cdSize || view.getUint32(p, true) !== CENTRAL)
      fail(`central directory entry ${i} is corrupt (at byte ${p})`);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    let compressed = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let localOffset = view.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // Zip64 extended information: only the fields whose 32-bit slot is saturated are present, in this order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const next = (what: string) => {
          if (q + 8 > e + 4 + len) fail(`entry "${name}": zip64 extra field lacks the ${what}`);
          const v = safeNumber(view.getBigUint64(q, true), what, fail);
          q += 8;
          return v;
        };
        if (size === U32_MAX) size = next("uncompressed size");
        if (compressed === U32_MAX) compressed = next("compressed size");
        if (localOffset === U32_MAX) localOffset = next("local header offset");
      }
      e += 4 + len;
    }
    p = extraEnd + commentLen;

    if (flags & 1) fail(`entry "${name}" is encrypted`);
    if (localOffset + 30 > bytes.length || view.getUint32(localOffset, true) !== LOCAL)
      fail(`entry "${name}": local header missing at byte ${localOffset} (truncated file?)`);
    const start = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    if (start + compressed > bytes.length)
      fail(
        `entry "${name}" (bytes ${start}..${start + compressed}) runs past the end of the ${bytes.length}-byte file (truncated?)`,
      );
    const raw = bytes.subarray(start, start + compressed);
    if (method === 0 && compressed !== size)
      fail(`entry "${name}" is stored with ${compressed} bytes but the directory says ${size}`);
    if (method === 8 && size > compressed * MAX_DEFLATE_RATIO + 64) {
      fail(
        `entry "${name}" claims ${size} bytes from ${compressed} deflated bytes, more than deflate can produce (a zip bomb?)`,
      );
    }
    if (method !== 0 && method !== 8) {
      fail(`entry "${name}" uses zip compression method ${method}; only stored (0) and deflate (8) are supported`);
    }
    entries.set(name, { name, size, read: once(() => inflateEntry(name, method, raw, size, crc, fail)) });
  }
  return entries;
}

function inflateEntry(
  name: string,
  method: number,
  raw: Uint8Array,
  size: number,
  crc: number,
  fail: (msg: string) => never,
): Uint8Array {
  let data: Uint8Array;
  if (method === 0) {
    data = raw;
  } else {
    try {
      data = inflateRawSync(raw, { maxOutputLength: Math.max(size, 1) });
    } catch (err) {
      return fail(
        `entry "${name}": deflate data is corrupt or longer than the ${size} bytes the directory says (${(err as Error).message})`,
      );
    }
  }
  if (data.length !== size) fail(`entry "${name}" has ${data.length} bytes but the directory says ${size}`);
  if (crc32(data) !== crc) fail(`entry "${name}" fails its CRC-32 check (corrupt file)`);
  return data;
}

function once<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value;
  };
}

function findEndOfCentralDirectory(view: DataView): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  const min = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let i = view.byteLength - 22; i >= min; i--) {
    if (view.getUint32(i, true) === EOCD) return i;
  }
  return -1;
}

function safeNumber(v: bigint, what: string, fail: (msg: string) => never): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} ${v} is too large`);
  return Number(v);
}
