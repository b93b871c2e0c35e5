import { DoubleArray } from "./double-array.js";

/** A parsed `normalizer_spec.precompiled_charsmap`: the trie and the pool of NUL-terminated replacements. */
export interface PrecompiledCharsmap {
  trie: DoubleArray;
  pool: Uint8Array;
}

/**
 * Splits the blob as sentencepiece's DecodePrecompiledCharsMap does: a little-endian uint32
 * with the trie's byte size, the trie units, then the normalized-string pool.
 */
export function parsePrecompiledCharsmap(blob: Uint8Array, source: string): PrecompiledCharsmap {
  const fail = (why: string): never => {
    throw new Error(`${source}: normalizer_spec.precompiled_charsmap is malformed (${why})`);
  };
  if (blob.length < 4) fail(`${blob.length} bytes, too short for the trie size`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const trieBytes = view.getUint32(0, true);
  if (trieBytes % 4 !== 0 || 4 + trieBytes > blob.length)
    fail(`trie size ${trieBytes} does not fit the ${blob.length}-byte blob`);
  const units = new Uint32Array(trieBytes / 4);
  for (let i = 0; i < units.length; i++) units[i] = view.getUint32(4 + 4 * i, true);
  return { trie: new DoubleArray(units), pool: blob.slice(4 + trieBytes) };
}

/** The replacement stored at `offset` in the pool (up to its NUL). */
export function poolEntry(pool: Uint8Array, offset: number): Uint8Array {
  let end = offset;
  while (end < pool.length && pool[end] !== 0) end++;
  return pool.subarray(offset, end);
}
