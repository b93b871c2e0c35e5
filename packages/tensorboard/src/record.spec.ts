import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { crc32c, maskedCrc32c } from "./crc32c.js";
import { frameRecord, readRecords } from "./record.js";
import { TF2_EVENT_FILE } from "./testing.js";

describe("CRC32C", () => {
  it("is the Castagnoli CRC (check value of '123456789')", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
  });

  it("masks as TensorFlow does: rotate right by 15, add 0xa282ead8", () => {
    const c = 0xe3069283;
    const expected = (((c >>> 15) | ((c << 17) >>> 0)) + 0xa282ead8) % 2 ** 32;
    expect(maskedCrc32c(new TextEncoder().encode("123456789"))).toBe(expected);
  });
});

describe("TFRecord framing", () => {
  const file = new Uint8Array(readFileSync(TF2_EVENT_FILE));

  it("splits TensorFlow's file into its 101 records, every checksum matching, nothing left over", () => {
    const { records, partialTailBytes } = readRecords(file);
    expect(records).toHaveLength(101);
    expect(partialTailBytes).toBe(0);
    // 12 header + data + 4 footer bytes per record, adding up to the file's size.
    expect(records.reduce((n, r) => n + 16 + r.length, 0)).toBe(file.length);
  });

  it("frames records byte for byte as TensorFlow did", () => {
    const { records } = readRecords(file);
    const reframed = Buffer.concat(records.map((r) => frameRecord(r)));
    expect(reframed.equals(Buffer.from(file))).toBe(true);
  });

  it("leaves out a record still being written and counts its bytes", () => {
    const cut = file.subarray(0, file.length - 5);
    const { records, partialTailBytes } = readRecords(cut);
    expect(records).toHaveLength(100);
    expect(partialTailBytes).toBe(readRecords(file).records[100]!.length + 16 - 5);
  });

  it("names the record and byte offset of a corrupted record", () => {
    const bad = new Uint8Array(file);
    const { records } = readRecords(file);
    const second = 16 + records[0]!.length; // byte offset of record 1
    bad[second + 12 + 3]! ^= 0xff;
    expect(() => readRecords(bad, "x.tfevents")).toThrow(
      `x.tfevents: record 1 at byte ${second}: the data's CRC does not match`,
    );
    bad[second + 12 + 3]! ^= 0xff;
    bad[second + 2]! ^= 0x01;
    expect(() => readRecords(bad, "x.tfevents")).toThrow(
      `x.tfevents: record 1 at byte ${second}: the length's CRC does not match`,
    );
  });
});
