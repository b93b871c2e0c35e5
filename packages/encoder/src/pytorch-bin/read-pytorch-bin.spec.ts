import { readFile } from "node:fs/promises";
import { crc32, deflateRawSync } from "node:zlib";
import { readSafetensorsFile, toFloat32 } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { readPytorchBin, readPytorchBinFile } from "./read-pytorch-bin.js";

const fixture = (p: string) => new URL(`../../../../fixtures/hf-parity/${p}`, import.meta.url).pathname;

/** A zip of stored (or deflated) entries, the way torch.save lays it out (no alignment padding needed for reading). */
function zip(files: Record<string, Uint8Array>, deflate = false): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const n = enc.encode(name);
    const crc = crc32(data);
    const body = deflate ? new Uint8Array(deflateRawSync(data)) : data;
    const local = new Uint8Array(30 + n.length + body.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(8, deflate ? 8 : 0, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, n.length, true);
    local.set(n, 30);
    local.set(body, 30 + n.length);
    const central = new Uint8Array(46 + n.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(10, deflate ? 8 : 0, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, n.length, true);
    cv.setUint32(42, offset, true);
    central.set(n, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const cdSize = centrals.reduce((a, c) => a + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, centrals.length, true);
  ev.setUint16(10, centrals.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  return concat([...locals, ...centrals, eocd]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Pickle bytes: numbers are raw opcode bytes, strings become BINUNICODE, {g: "mod\nname"} a GLOBAL. */
function pickle(...items: (number | string | { g: string })[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const it of items) {
    if (typeof it === "number") parts.push(Uint8Array.of(it));
    else if (typeof it === "string") {
      const s = enc.encode(it);
      const head = new Uint8Array(5);
      head[0] = 0x58;
      new DataView(head.buffer).setUint32(1, s.length, true);
      parts.push(head, s);
    } else parts.push(enc.encode(`c${it.g}\n`));
  }
  return concat(parts);
}

const PROTO2 = [0x80, 2];
const MARK = 0x28;
const TUPLE = 0x74;
const TUPLE1 = 0x85;
const TUPLE2 = 0x86;
const REDUCE = 0x52;
const BINPERSID = 0x51;
const SETITEMS = 0x75;
const NEWFALSE = 0x89;
const EMPTY_TUPLE = 0x29;
const STOP = 0x2e;
const K = 0x4b; // BININT1, followed by the byte

/** BININT1 below 256, else BININT2 (both little-endian, as pickle writes them). */
const int = (x: number) => (x < 256 ? [K, x] : [0x4d, x & 0xff, x >> 8]);

/** `_rebuild_tensor_v2(('storage', <type>, key, 'cpu', numel), offset, size, stride, False, OrderedDict())`. */
function tensor(type: string, key: string, numel: number, offset: number, size: number[], stride: number[]) {
  const tuple = (xs: number[]) =>
    xs.length === 1 ? [...int(xs[0]!), TUPLE1] : [...int(xs[0]!), ...int(xs[1]!), TUPLE2];
  return [
    { g: "torch._utils\n_rebuild_tensor_v2" },
    MARK,
    MARK,
    "storage",
    { g: `torch\n${type}` },
    key,
    "cpu",
    ...int(numel),
    TUPLE,
    BINPERSID,
    K,
    offset,
    ...tuple(size),
    ...tuple(stride),
    NEWFALSE,
    { g: "collections\nOrderedDict" },
    EMPTY_TUPLE,
    REDUCE,
    TUPLE,
    REDUCE,
  ];
}

function f32(...xs: number[]) {
  return new Uint8Array(Float32Array.from(xs).buffer);
}

const minimal = (deflate = false) =>
  zip(
    {
      "archive/data.pkl": pickle(
        ...PROTO2,
        { g: "collections\nOrderedDict" },
        EMPTY_TUPLE,
        REDUCE,
        MARK,
        "w",
        ...tensor("FloatStorage", "0", 6, 0, [2, 3], [3, 1]),
        "w_t",
        ...tensor("FloatStorage", "0", 6, 0, [3, 2], [1, 3]),
        "h",
        ...tensor("HalfStorage", "1", 3, 1, [2], [1]),
        SETITEMS,
        STOP,
      ),
      "archive/byteorder": new TextEncoder().encode("little"),
      "archive/data/0": f32(1, 2, 3, 4, 5, 6),
      // float16 bits of 0.5, 1.0, -2.0
      "archive/data/1": new Uint8Array(Uint16Array.of(0x3800, 0x3c00, 0xc000).buffer),
    },
    deflate,
  );

describe("readPytorchBin", () => {
  it("loads both parity fixtures to tensors identical to their model.safetensors", async () => {
    for (const name of ["bert-tiny-cls3", "deberta-v3-tiny-cls3"]) {
      const bin = await readPytorchBinFile(fixture(`${name}/pytorch_model.bin`));
      const st = await readSafetensorsFile(fixture(`${name}/model.safetensors`));
      expect([...bin.tensors.keys()].sort()).toEqual([...st.tensors.keys()].sort());
      for (const [key, t] of st.tensors) {
        const b = bin.tensors.get(key)!;
        expect(b.dtype, key).toBe(t.dtype);
        expect(b.shape, key).toEqual(t.shape);
        expect(b.data, key).toEqual(t.data);
      }
      expect(bin.tensors.size).toBeGreaterThan(20);
    }
  });

  it("reads a hand-built archive: offsets, a transposed (non-contiguous) view and float16", () => {
    const { tensors } = readPytorchBin(minimal(), "minimal.bin");
    expect([...tensors.keys()]).toEqual(["w", "w_t", "h"]);
    expect(tensors.get("w")).toEqual({ dtype: "F32", shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) });
    // w_t[i][j] = storage[i + 3j]
    expect(tensors.get("w_t")).toEqual({ dtype: "F32", shape: [3, 2], data: Float32Array.of(1, 4, 2, 5, 3, 6) });
    const h = tensors.get("h")!;
    expect(h.dtype).toBe("F16");
    expect(h.data).toEqual(Uint16Array.of(0x3c00, 0xc000));
    expect(toFloat32(h)).toEqual(Float32Array.of(1, -2));
  });

  it("reads deflated entries too (zip tools that recompress a checkpoint)", () => {
    const stored = readPytorchBin(minimal(), "stored.bin").tensors;
    const deflated = readPytorchBin(minimal(true), "deflated.bin").tensors;
    expect(deflated).toEqual(stored);
  });

  it("refuses a pickle that names a foreign global, naming it", () => {
    const evil = zip({
      "archive/data.pkl": pickle(...PROTO2, { g: "os\nsystem" }, "echo pwned", TUPLE1, REDUCE, STOP),
    });
    expect(() => readPytorchBin(evil, "evil.bin")).toThrow(/evil\.bin.*refusing to load global "os\.system"/);
    const evil2 = zip({
      "archive/data.pkl": pickle(...PROTO2, "builtins", "eval", 0x93, "1+1", TUPLE1, REDUCE, STOP),
    });
    expect(() => readPytorchBin(evil2, "evil2.bin")).toThrow(/refusing to load global "builtins\.eval"/);
  });

  it("rejects truncated and corrupt files with one clear error", () => {
    const good = minimal();
    expect(() => readPytorchBin(good.subarray(0, good.length - 30), "cut.bin")).toThrow(/cut\.bin: not a zip archive/);
    const flipped = good.slice();
    flipped[60] = flipped[60]! ^ 0xff; // inside data.pkl
    expect(() => readPytorchBin(flipped, "flip.bin")).toThrow(
      /flip\.bin: entry "archive\/data\.pkl" fails its CRC-32 check/,
    );
    const noStop = zip({
      "archive/data.pkl": pickle(...PROTO2, { g: "collections\nOrderedDict" }, EMPTY_TUPLE, REDUCE),
    });
    expect(() => readPytorchBin(noStop, "nostop.bin")).toThrow(/nostop\.bin archive\/data\.pkl: .*truncated/);
    const shortStorage = zip({
      "archive/data.pkl": pickle(
        ...PROTO2,
        { g: "collections\nOrderedDict" },
        EMPTY_TUPLE,
        REDUCE,
        MARK,
        "w",
        ...tensor("FloatStorage", "0", 6, 0, [2, 3], [3, 1]),
        SETITEMS,
        STOP,
      ),
      "archive/data/0": f32(1, 2, 3),
    });
    expect(() => readPytorchBin(shortStorage, "short.bin")).toThrow(
      /short\.bin: tensor "w": storage 0 holds 12 bytes, but 6 × F32 need 24/,
    );
    const outOfRange = zip({
      "archive/data.pkl": pickle(
        ...PROTO2,
        { g: "collections\nOrderedDict" },
        EMPTY_TUPLE,
        REDUCE,
        MARK,
        "w",
        ...tensor("FloatStorage", "0", 6, 2, [2, 3], [3, 1]),
        SETITEMS,
        STOP,
      ),
      "archive/data/0": f32(1, 2, 3, 4, 5, 6),
    });
    expect(() => readPytorchBin(outOfRange, "oob.bin")).toThrow(
      /oob\.bin: tensor "w": view .* reads past its 6-element storage/,
    );
    expect(() => readPytorchBin(new TextEncoder().encode("hello"), "text.bin")).toThrow(/text\.bin: not a zip archive/);
  });

  const stateDict = (...items: (number | string | { g: string })[]) =>
    pickle(...PROTO2, { g: "collections\nOrderedDict" }, EMPTY_TUPLE, REDUCE, MARK, ...items, SETITEMS, STOP);

  it("refuses a stride-0 view claiming a 28000×28000 tensor before allocating it", () => {
    const bomb = zip({
      "archive/data.pkl": stateDict("w", ...tensor("FloatStorage", "0", 1, 0, [28000, 28000], [0, 0])),
      "archive/data/0": f32(7),
    });
    const started = performance.now();
    expect(() => readPytorchBin(bomb, "bomb.bin")).toThrow(
      'bomb.bin: tensor "w": view (offset 0, size [28000,28000], stride [0,0]) has stride 0 in dimension 0 of size 28000',
    );
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("refuses a view that overlaps itself, and keeps size-1 dimensions of any stride", () => {
    const overlap = zip({
      "archive/data.pkl": stateDict("w", ...tensor("FloatStorage", "0", 6, 0, [3, 2], [1, 1])),
      "archive/data/0": f32(1, 2, 3, 4, 5, 6),
    });
    expect(() => readPytorchBin(overlap, "overlap.bin")).toThrow(/overlap\.bin: tensor "w": view .* overlaps itself/);
    const column = zip({
      "archive/data.pkl": stateDict("c", ...tensor("FloatStorage", "0", 6, 1, [3, 1], [2, 0])),
      "archive/data/0": f32(1, 2, 3, 4, 5, 6),
    });
    expect(readPytorchBin(column, "column.bin").tensors.get("c")!.data).toEqual(Float32Array.of(2, 4, 6));
  });

  it("refuses shared-storage views that together expand far beyond the archive", () => {
    const items: (number | string | { g: string })[] = [];
    for (let i = 0; i < 300; i++) items.push(`w${i}`, ...tensor("FloatStorage", "0", 60000, 0, [60000], [1]));
    const many = zip({ "archive/data.pkl": stateDict(...items), "archive/data/0": new Uint8Array(240000) });
    expect(() => readPytorchBin(many, "many.bin")).toThrow(
      /many\.bin: tensors up to "w\d+" would take more than 4 × the archive's/,
    );
  });

  it("inflates only the entries a tensor references", () => {
    const files = {
      "archive/data.pkl": stateDict("w", ...tensor("FloatStorage", "0", 6, 0, [2, 3], [3, 1])),
      "archive/data/0": f32(1, 2, 3, 4, 5, 6),
      "archive/data/unused": new Uint8Array(1 << 20),
    };
    const bytes = zip(files, true);
    // Corrupt the unreferenced entry's deflate stream (0xff: a final block of the invalid type 3).
    const at = Buffer.from(bytes).indexOf("archive/data/unused") + "archive/data/unused".length;
    bytes[at] = 0xff;
    expect(readPytorchBin(bytes, "lazy.bin").tensors.get("w")!.data).toEqual(Float32Array.of(1, 2, 3, 4, 5, 6));
  });

  it("refuses a directory that claims more bytes than deflate can produce", () => {
    const bytes = zip({ "archive/data.pkl": stateDict(), "archive/data/0": new Uint8Array(64) }, true);
    // Central directory entry of archive/data/0: set its uncompressed size to 2 GB.
    const central = Buffer.from(bytes).lastIndexOf("archive/data/0") - 46;
    new DataView(bytes.buffer).setUint32(central + 24, 2_000_000_000, true);
    expect(() => readPytorchBin(bytes, "zipbomb.bin")).toThrow(
      /zipbomb\.bin: entry "archive\/data\/0" claims 2000000000 bytes from \d+ deflated bytes/,
    );
  });

  it("reads a pickle list of 2 million items without overflowing the stack", () => {
    const n = 2_000_000;
    const body = new Uint8Array(n).fill(0x4e); // NONE
    const list = concat([Uint8Array.of(...PROTO2, 0x5d, MARK), body, Uint8Array.of(0x65, STOP)]);
    expect(() => readPytorchBin(zip({ "archive/data.pkl": list }), "list.bin")).toThrow(
      "list.bin: the pickled object is not a state dict",
    );
  });

  it("refuses an integer too wide to decode quickly", () => {
    const long4 = concat([
      Uint8Array.of(...PROTO2, 0x8b, 0x00, 0x00, 0x10, 0x00),
      new Uint8Array(1 << 20),
      Uint8Array.of(STOP),
    ]);
    expect(() => readPytorchBin(zip({ "archive/data.pkl": long4 }), "long.bin")).toThrow(
      /long\.bin archive\/data\.pkl: .*LONG4 of 1048576 bytes/,
    );
  });

  it("reads the real fixture bytes from memory as well as from a path", async () => {
    const bytes = await readFile(fixture("bert-tiny-cls3/pytorch_model.bin"));
    const t = readPytorchBin(bytes, "mem").tensors.get("classifier.weight")!;
    expect(t.shape).toEqual([3, 32]);
  });
});
