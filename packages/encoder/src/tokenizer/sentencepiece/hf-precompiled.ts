import { parsePrecompiledCharsmap, poolEntry, type PrecompiledCharsmap } from "./charsmap.js";
import { utf8Decoder, utf8Encoder } from "./utf8.js";

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });
// eslint-disable-next-line no-control-regex -- the ASCII range, control characters included
const ASCII = /^[\x00-\x7f]*$/;

/**
 * The `Precompiled` normalizer of Hugging Face tokenizers (spm_precompiled + tokenizers'
 * precompiled.rs), which is what a fast tokenizer applies and differs from sentencepiece: the
 * text is cut into grapheme clusters; a cluster under 6 UTF-8 bytes is replaced whole by the
 * first (shortest) charsmap rule matching a prefix of it, otherwise each character is looked up
 * alone and kept when no rule matches. Spaces are not trimmed or escaped here (the Strip,
 * Replace and Metaspace steps of the tokenizer do that).
 */
export class HfPrecompiledNormalizer {
  private readonly charsmap: PrecompiledCharsmap;
  private readonly values: number[] = [];
  private readonly lengths: number[] = [];
  // Graphemes repeat (letters, common clusters): their replacement is remembered, up to a bound.
  private readonly cache = new Map<string, string>();
  private readonly ascii: string[];

  constructor(precompiledCharsmap: Uint8Array, source = "precompiled_charsmap") {
    this.charsmap = parsePrecompiledCharsmap(precompiledCharsmap, source);
    this.ascii = Array.from({ length: 128 }, (_, c) => this.cluster(String.fromCharCode(c)));
  }

  normalize(text: string): string {
    // ASCII without CR LF: every character is its own grapheme cluster, so no segmentation is needed.
    if (ASCII.test(text) && !text.includes("\r\n")) {
      let out = "";
      for (let i = 0; i < text.length; i++) out += this.ascii[text.charCodeAt(i)]!;
      return out;
    }
    let out = "";
    for (const { segment } of graphemes.segment(text)) {
      let hit = this.cache.get(segment);
      if (hit === undefined) {
        hit = this.cluster(segment);
        if (this.cache.size >= 65536) this.cache.clear();
        this.cache.set(segment, hit);
      }
      out += hit;
    }
    return out;
  }

  private cluster(segment: string): string {
    const bytes = utf8Encoder.encode(segment);
    if (bytes.length < 6) {
      const whole = this.transform(bytes);
      if (whole !== null) return whole;
    }
    let out = "";
    for (const ch of segment) out += this.transform(utf8Encoder.encode(ch)) ?? ch;
    return out;
  }

  private transform(bytes: Uint8Array): string | null {
    // spm_precompiled stops its search at a NUL byte.
    const nul = bytes.indexOf(0);
    const end = nul < 0 ? bytes.length : nul;
    const found = this.charsmap.trie.commonPrefixSearch(bytes, 0, end, this.values, this.lengths);
    if (found === 0) return null;
    return utf8Decoder.decode(poolEntry(this.charsmap.pool, this.values[0]!));
  }
}
