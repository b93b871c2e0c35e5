import type { SentencePieceModel } from "../sentencepiece-model.js";
import { parsePrecompiledCharsmap, poolEntry, type PrecompiledCharsmap } from "./charsmap.js";
import { PrefixMatcher } from "./prefix-matcher.js";
import { ByteBuffer, utf8Decoder, utf8Encoder, validCharLen } from "./utf8.js";

export type NormalizerSpec = SentencePieceModel["normalizerSpec"];

export interface SentencePieceNormalizerOptions {
  /** USER_DEFINED pieces: matched first and copied through unnormalized, as sentencepiece does. */
  userDefinedSymbols?: Iterable<string>;
  /** trainer_spec.treat_whitespace_as_suffix: the dummy space goes at the end. */
  treatWhitespaceAsSuffix?: boolean;
  /** For error messages. */
  source?: string;
}

const SPACE = 0x20;
const SPACE_SYMBOL = utf8Encoder.encode("\u2581");
const REPLACEMENT = utf8Encoder.encode("\ufffd");
const ONE_SPACE = Uint8Array.of(SPACE);

/**
 * sentencepiece's Normalizer (normalizer.cc) driven by the model's own `precompiled_charsmap`:
 * at each position the longest rule of the charsmap, else the character unchanged (an invalid
 * byte becomes U+FFFD); then `remove_extra_whitespaces` (trim and collapse spaces),
 * `add_dummy_prefix` and `escape_whitespaces` (space → ▁). `nmt_nfkc`, `nfkc`, `nmt_nfkc_cf`,
 * `nfkc_cf` and user rule sets differ only in the charsmap; `identity` has none.
 */
export class SentencePieceNormalizer {
  readonly spec: NormalizerSpec;
  private readonly charsmap: PrecompiledCharsmap | null;
  private readonly matcher: PrefixMatcher | null;
  private readonly suffix: boolean;
  private readonly values: number[] = [];
  private readonly lengths: number[] = [];
  // Scratch buffers reused across calls (normalize is on the batching hot path).
  private input = new Uint8Array(256);
  private readonly output = new ByteBuffer();

  constructor(spec: NormalizerSpec, options: SentencePieceNormalizerOptions = {}) {
    this.spec = spec;
    const source = options.source ?? "SentencePiece model";
    this.charsmap =
      spec.precompiledCharsmap.length > 0 ? parsePrecompiledCharsmap(spec.precompiledCharsmap, source) : null;
    const matcher = new PrefixMatcher(options.userDefinedSymbols ?? []);
    this.matcher = matcher.empty ? null : matcher;
    this.suffix = options.treatWhitespaceAsSuffix ?? false;
  }

  /**
   * The normalized text. JavaScript strings are encoded to UTF-8 first, so a lone surrogate
   * arrives as U+FFFD (sentencepiece never sees one: Python cannot encode it).
   */
  normalize(text: string): string {
    if (this.input.length < text.length * 3) this.input = new Uint8Array(text.length * 3);
    const { written } = utf8Encoder.encodeInto(text, this.input);
    return utf8Decoder.decode(this.normalizeInto(this.input.subarray(0, written), this.output));
  }

  /** The normalized UTF-8 bytes of UTF-8 input. */
  normalizeBytes(input: Uint8Array): Uint8Array {
    return this.normalizeInto(input, new ByteBuffer()).slice();
  }

  private normalizeInto(input: Uint8Array, out: ByteBuffer): Uint8Array {
    out.length = 0;
    const n = input.length;
    const { addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces } = this.spec;
    let pos = 0;
    if (removeExtraWhitespaces) {
      while (pos < n) {
        const [piece, consumed] = this.normalizePrefix(input, pos);
        if (piece.length !== 1 || piece[0] !== SPACE) break;
        pos += consumed;
      }
    }
    if (pos >= n) return out.bytes();
    const addSpace = () => (escapeWhitespaces ? out.append(SPACE_SYMBOL) : out.push(SPACE));
    if (!this.suffix && addDummyPrefix) addSpace();
    let prevSpace = removeExtraWhitespaces;
    while (pos < n) {
      const [piece, consumed] = this.normalizePrefix(input, pos);
      let s = 0;
      if (prevSpace) while (s < piece.length && piece[s] === SPACE) s++;
      if (s < piece.length) {
        for (let k = s; k < piece.length; k++) {
          if (escapeWhitespaces && piece[k] === SPACE) out.append(SPACE_SYMBOL);
          else out.push(piece[k]!);
        }
        prevSpace = piece[piece.length - 1] === SPACE;
      }
      pos += consumed;
      if (!removeExtraWhitespaces) prevSpace = false;
    }
    if (removeExtraWhitespaces) {
      const space = escapeWhitespaces ? SPACE_SYMBOL : ONE_SPACE;
      while (out.endsWith(space)) out.length -= space.length;
    }
    if (this.suffix && addDummyPrefix) addSpace();
    return out.bytes();
  }

  /** The replacement for the longest match at `pos` and how many input bytes it consumes. */
  private normalizePrefix(input: Uint8Array, pos: number): [Uint8Array, number] {
    const end = input.length;
    if (this.matcher) {
      const len = this.matcher.longestMatch(input, pos, end);
      if (len > 0) return [input.subarray(pos, pos + len), len];
    }
    let longest = 0;
    let value = 0;
    if (this.charsmap) {
      const found = this.charsmap.trie.commonPrefixSearch(input, pos, end, this.values, this.lengths);
      for (let i = 0; i < found; i++) {
        if (longest === 0 || this.lengths[i]! > longest) {
          longest = this.lengths[i]!;
          value = this.values[i]!;
        }
      }
    }
    if (longest === 0) {
      const len = validCharLen(input, pos, end);
      return len === 0 ? [REPLACEMENT, 1] : [input.subarray(pos, pos + len), len];
    }
    return [poolEntry(this.charsmap!.pool, value), longest];
  }
}
