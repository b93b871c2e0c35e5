import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  floatToBf16,
  floatToHalf,
  halfToFloat,
  readSafetensors,
  readSafetensorsFile,
  toFloat32,
  writeSafetensors,
} from "./safetensors.js";

const fixture = fileURLToPath(
  new URL("../../../../fixtures/hf-parity/bert-tiny-cls3/model.safetensors", import.meta.url),
);

/** Builds a file from a raw header object and data bytes, bypassing the writer's checks. */
function build(header: unknown, data: Uint8Array, lengthOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe("readSafetensors", () => {
  it("reads a Hugging Face file and writes it back byte for byte", async () => {
    const { tensors, metadata } = await readSafetensorsFile(fixture);
    expect(metadata).toEqual({ format: "pt" });
    const q = tensors.get("bert.encoder.layer.0.attention.self.query.weight")!;
    expect(q.dtype).toBe("F32");
    expect(q.shape).toEqual([32, 32]);
    expect(q.data).toBeInstanceOf(Float32Array);
    expect(tensors.get("classifier.weight")!.shape).toEqual([3, 32]);
    const rewritten = writeSafetensors(Object.fromEntries(tensors), metadata);
    expect(Buffer.from(rewritten).equals(readFileSync(fixture))).toBe(true);
  });

  it("round-trips every dtype and pads the header to 8 bytes", () => {
    const file = writeSafetensors(
      {
        f64: { dtype: "F64", shape: [2], data: new Float64Array([1.5, -2]) },
        i64: { dtype: "I64", shape: [2], data: new BigInt64Array([5n, -7n]) },
        i32: { dtype: "I32", shape: [1, 2], data: new Int32Array([3, -4]) },
        h: { dtype: "F16", shape: [3], data: new Float32Array([1, -0.5, 65504]) },
        bf: { dtype: "BF16", shape: [2], data: new Float32Array([1.5, -3]) },
        i8: { dtype: "I8", shape: [1], data: new Int8Array([-3]) },
        b: { dtype: "BOOL", shape: [2], data: new Uint8Array([1, 0]) },
        empty: { dtype: "F32", shape: [0, 4], data: new Float32Array(0) },
      },
      { note: "x" },
    );
    const headerLen = Number(new DataView(file.buffer).getBigUint64(0, true));
    expect((8 + headerLen) % 8).toBe(0);
    const { tensors, metadata } = readSafetensors(file, "mem");
    expect(metadata).toEqual({ note: "x" });
    expect([...(tensors.get("f64")!.data as Float64Array)]).toEqual([1.5, -2]);
    expect([...(tensors.get("i64")!.data as BigInt64Array)]).toEqual([5n, -7n]);
    expect([...toFloat32(tensors.get("i64")!)]).toEqual([5, -7]);
    expect(tensors.get("i32")!.shape).toEqual([1, 2]);
    expect([...toFloat32(tensors.get("h")!)]).toEqual([1, -0.5, 65504]);
    expect([...toFloat32(tensors.get("bf")!)]).toEqual([1.5, -3]);
    expect([...toFloat32(tensors.get("i8")!)]).toEqual([-3]);
    expect([...toFloat32(tensors.get("b")!)]).toEqual([1, 0]);
    expect(tensors.get("empty")!.shape).toEqual([0, 4]);
  });

  it("decodes half and bfloat16 bit patterns exactly", () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(Number.isNaN(halfToFloat(0x7e00))).toBe(true);
    expect(floatToHalf(0.1)).toBe(0x2e66);
    expect(floatToHalf(1e6)).toBe(0x7c00);
    expect(floatToHalf(2 ** -24)).toBe(1);
    // bf16 0x3f80 = 1.0; 1 + 2^-8 is a tie and rounds to even (1.0).
    expect(floatToBf16(1 + 2 ** -8)).toBe(0x3f80);
    expect(floatToBf16(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect([...toFloat32({ dtype: "BF16", data: new Uint16Array([0x3f80, 0xc040]) })]).toEqual([1, -3]);
  });

  const four = new Uint8Array(8);
  const entry = (o: object) => ({ t: { dtype: "F32", shape: [2], data_offsets: [0, 8], ...o } });
  const cases: [string, Uint8Array, RegExp][] = [
    ["too short", new Uint8Array(4), /src\.st: file is 4 bytes/],
    ["header longer than file", build({}, four, 1000n), /src\.st: header length 1000 exceeds/],
    ["non-JSON header", build("{not json", four), /src\.st: header is not valid JSON/],
    ["header not an object", build("[1,2]", four), /header is not a JSON object/],
    ["unknown dtype", build(entry({ dtype: "Q4" }), four), /tensor "t": unknown dtype "Q4"/],
    ["bad shape", build(entry({ shape: [-1] }), four), /tensor "t": shape \[-1\] is not a list/],
    [
      "size mismatch",
      build(entry({ shape: [3] }), four),
      /tensor "t": shape \[3\] × F32 needs 12 bytes but data_offsets \[0, 8\] hold 8/,
    ],
    [
      "out of range",
      build(entry({ shape: [4], data_offsets: [0, 16] }), four),
      /tensor "t": data_offsets \[0, 16\] run past the 8 data bytes/,
    ],
    [
      "overlap",
      build(
        {
          a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
          b: { dtype: "F32", shape: [1], data_offsets: [4, 8] },
        },
        four,
      ),
      /tensor "b": data_offsets \[4, 8\] overlap tensor "a"/,
    ],
    ["gap", build(entry({ shape: [1], data_offsets: [4, 8] }), four), /tensor "t": 4 unused bytes before/],
    ["trailing bytes", build(entry({}), new Uint8Array(12)), /4 unused bytes after the last tensor/],
    [
      "metadata not strings",
      build({ __metadata__: { a: 1 } }, new Uint8Array(0)),
      /"__metadata__.a" is 1, not a string/,
    ],
  ];
  for (const [what, bytes, message] of cases) {
    it(`rejects ${what} with one error naming the file and the tensor`, () => {
      expect(() => readSafetensors(bytes, "src.st")).toThrow(message);
    });
  }

  it("names the path when the file is truncated", async () => {
    const bytes = readFileSync(fixture);
    expect(() => readSafetensors(bytes.subarray(0, bytes.length - 10), "model.safetensors")).toThrow(
      /model\.safetensors: tensor "classifier\.weight": data_offsets \[97676, 98060\] run past the 98050 data bytes \(truncated file\?\)/,
    );
    await expect(readSafetensorsFile("/nonexistent/x.safetensors")).rejects.toThrow(
      /\/nonexistent\/x\.safetensors: cannot read file/,
    );
  });

  it("refuses special files as weight files without reading from them, and follows symlinks to real files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aflora-st-"));
    try {
      symlinkSync("/dev/zero", join(dir, "zero.safetensors"));
      execFileSync("mkfifo", [join(dir, "fifo.safetensors")]);
      symlinkSync(fixture, join(dir, "linked.safetensors"));
      const started = Date.now();
      await expect(readSafetensorsFile(join(dir, "zero.safetensors"))).rejects.toThrow(
        `safetensors ${join(dir, "zero.safetensors")}: is a character device, not a regular file; refusing to read it as weights`,
      );
      await expect(readSafetensorsFile(join(dir, "fifo.safetensors"))).rejects.toThrow(
        /fifo\.safetensors: is a FIFO \(named pipe\), not a regular file/,
      );
      await expect(readSafetensorsFile(dir)).rejects.toThrow(/: is a directory, not a regular file/);
      expect(Date.now() - started).toBeLessThan(2000);
      const linked = await readSafetensorsFile(join(dir, "linked.safetensors"));
      expect(linked.tensors.get("classifier.weight")!.shape).toEqual(
        readSafetensors(readFileSync(fixture), "f").tensors.get("classifier.weight")!.shape,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses inconsistent input when writing", () => {
    expect(() => writeSafetensors({ t: { dtype: "F32", shape: [3], data: new Float32Array(2) } })).toThrow(
      /tensor "t" has shape \[3\] \(3 values\) but 2 values/,
    );
    expect(() => writeSafetensors({ t: { dtype: "I32", shape: [2], data: new Float32Array(2) } })).toThrow(
      /tensor "t" is I32 but its data is a Float32Array/,
    );
  });
});
