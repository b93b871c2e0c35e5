import { maskedCrc32c } from "./crc32c.js";

const HEADER = 12; // uint64 length + uint32 masked CRC of the length
const FOOTER = 4; // uint32 masked CRC of the data

/** One TFRecord: uint64 LE length, masked CRC32C of those 8 bytes, the data, masked CRC32C of the data. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + data.length + FOOTER);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, HEADER);
  view.setUint32(HEADER + data.length, maskedCrc32c(data), true);
  return out;
}

export interface ReadRecordsResult {
  records: Uint8Array[];
  /** Bytes after the last whole record: a record still being written (0 for a closed file). */
  partialTailBytes: number;
}

/**
 * Splits TFRecord bytes into the records' data, checking both checksums of each.
 * A record cut short at the end is left out and counted in `partialTailBytes` (a writer may be
 * mid-append); a checksum mismatch anywhere is an error naming the record and its byte offset.
 */
export function readRecords(bytes: Uint8Array, source = "tfevents"): ReadRecordsResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < HEADER) break;
    const where = `${source}: record ${records.length} at byte ${offset}`;
    const length = view.getBigUint64(offset, true);
    if (view.getUint32(offset + 8, true) !== maskedCrc32c(bytes.subarray(offset, offset + 8))) {
      throw new Error(`${where}: the length's CRC does not match (not a TFRecord file, or corrupted)`);
    }
    if (length > BigInt(bytes.length - offset - HEADER - FOOTER)) break;
    const n = Number(length);
    const data = bytes.subarray(offset + HEADER, offset + HEADER + n);
    if (view.getUint32(offset + HEADER + n, true) !== maskedCrc32c(data)) {
      throw new Error(`${where}: the data's CRC does not match (corrupted record of ${n} bytes)`);
    }
    records.push(data);
    offset += HEADER + n + FOOTER;
  }
  return { records, partialTailBytes: bytes.length - offset };
}
