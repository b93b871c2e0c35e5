import { createRequire } from "node:module";

// crc-32 ships its CRC32C (Castagnoli) module without typings; it is CommonJS.
const require = createRequire(import.meta.url);
const castagnoli = require("crc-32/crc32c") as { buf(data: Uint8Array, seed?: number): number };

/** CRC32C (Castagnoli polynomial) as an unsigned 32-bit integer. */
export function crc32c(data: Uint8Array): number {
  return castagnoli.buf(data) >>> 0;
}

/**
 * TensorFlow's record checksum: the CRC rotated right by 15 bits plus a constant, so that a CRC
 * of data that itself holds CRCs stays well distributed (tensorflow/core/lib/hash/crc32c.h).
 */
export function maskedCrc32c(data: Uint8Array): number {
  const c = crc32c(data);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}
