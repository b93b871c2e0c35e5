/**
 * Darts-clone's double-array trie, read-only: the format sentencepiece stores in
 * `precompiled_charsmap`. Each 32-bit unit packs a label byte, a leaf flag and the XOR offset
 * to its children; a leaf's child unit holds the value (an offset into the normalized pool).
 */
export class DoubleArray {
  constructor(private readonly units: Uint32Array) {}

  get size(): number {
    return this.units.length;
  }

  /**
   * Every key that is a prefix of `bytes[start, end)`, shortest first, as (value, byte length)
   * pairs written into `values`/`lengths`; returns how many. NUL is an ordinary label, as in
   * Darts' search with an explicit length (the one sentencepiece calls).
   */
  commonPrefixSearch(bytes: Uint8Array, start: number, end: number, values: number[], lengths: number[]): number {
    const units = this.units;
    let found = 0;
    if (units.length === 0) return 0;
    let node = offset(units[0]!);
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      node ^= c;
      if (node >= units.length) return found;
      const unit = units[node]!;
      if (label(unit) !== c) return found;
      node ^= offset(unit);
      if (hasLeaf(unit)) {
        if (node >= units.length) return found;
        values[found] = units[node]! & 0x7fffffff;
        lengths[found] = i + 1 - start;
        found++;
      }
    }
    return found;
  }
}

const hasLeaf = (unit: number): boolean => ((unit >>> 8) & 1) === 1;
// The label keeps bit 31 so that a leaf's value unit never matches a byte.
const label = (unit: number): number => (unit & 0x800000ff) >>> 0;
const offset = (unit: number): number => (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
