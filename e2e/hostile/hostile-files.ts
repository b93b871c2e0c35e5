import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { crc32 } from "node:zlib";

/** Every path under `dir` (files and folders), relative to it, sorted. */
export function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Paths under `dir` that are neither one of `allowed` nor inside one of them. */
export function outside(dir: string, allowed: string[], before: string[] = []): string[] {
  const old = new Set(before);
  return tree(dir).filter((p) => !old.has(p) && !allowed.some((a) => p === a || p.startsWith(`${a}/`)));
}

/** A zip of stored entries as torch.save writes it (no compression). */
export function storedZip(files: Record<string, Uint8Array>): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const n = enc.encode(name);
    const local = new Uint8Array(30 + n.length + data.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint32(14, crc32(data), true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, n.length, true);
    local.set(n, 30);
    local.set(data, 30 + n.length);
    const central = new Uint8Array(46 + n.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint32(16, crc32(data), true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, n.length, true);
    cv.setUint32(42, offset, true);
    central.set(n, 46);
    parts.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const size = centrals.reduce((a, c) => a + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, centrals.length, true);
  ev.setUint16(10, centrals.length, true);
  ev.setUint32(12, size, true);
  ev.setUint32(16, offset, true);
  return Buffer.concat([...parts, ...centrals, eocd]);
}

/** Pickle protocol 2 bytes: numbers are opcodes, strings BINUNICODE, {g} a GLOBAL, {i} a BININT. */
export function pickle(...items: (number | string | { g: string } | { i: number })[]): Uint8Array {
  const out: Buffer[] = [Buffer.from([0x80, 2])];
  for (const it of items) {
    if (typeof it === "number") out.push(Buffer.from([it]));
    else if (typeof it === "string") {
      const s = Buffer.from(it, "utf8");
      const head = Buffer.alloc(5);
      head[0] = 0x58;
      head.writeUInt32LE(s.length, 1);
      out.push(head, s);
    } else if ("g" in it) out.push(Buffer.from(`c${it.g}\n`, "latin1"));
    else {
      const b = Buffer.alloc(5);
      b[0] = 0x4a;
      b.writeInt32LE(it.i, 1);
      out.push(b);
    }
  }
  out.push(Buffer.from([0x2e]));
  return Buffer.concat(out);
}

const MARK = 0x28;
const TUPLE = 0x74;
const REDUCE = 0x52;

/** `{name: _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', numel), 0, size, stride, False, {})}`. */
export function stateDictPickle(name: string, numel: number, size: number[], stride: number[]): Uint8Array {
  const tuple = (xs: number[]) => [MARK, ...xs.map((i) => ({ i })), TUPLE];
  return pickle(
    { g: "collections\nOrderedDict" },
    0x29,
    REDUCE,
    MARK,
    name,
    { g: "torch._utils\n_rebuild_tensor_v2" },
    MARK,
    MARK,
    "storage",
    { g: "torch\nFloatStorage" },
    "0",
    "cpu",
    { i: numel },
    TUPLE,
    0x51,
    { i: 0 },
    ...tuple(size),
    ...tuple(stride),
    0x89,
    { g: "collections\nOrderedDict" },
    0x29,
    REDUCE,
    TUPLE,
    REDUCE,
    0x75,
  );
}
