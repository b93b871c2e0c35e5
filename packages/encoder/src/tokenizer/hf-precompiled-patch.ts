import * as tokenizersJs from "@huggingface/tokenizers";
import { HfPrecompiledNormalizer } from "./sentencepiece/hf-precompiled.js";

// Exported at runtime, but the package's type declarations do not resolve under NodeNext.
const { PrecompiledNormalizer, SequenceNormalizer, StripNormalizer } = tokenizersJs as unknown as {
  PrecompiledNormalizer: abstract new (...args: never[]) => unknown;
  SequenceNormalizer: abstract new (...args: never[]) => unknown;
  StripNormalizer: abstract new (...args: never[]) => unknown;
};

interface NormalizerLike {
  config?: { precompiled_charsmap?: unknown; strip_left?: boolean; strip_right?: boolean };
  normalizers?: unknown[];
  normalize(text: string): string;
}

const LEADING = /^\p{White_Space}+/u;
const TRAILING = /\p{White_Space}+$/u;
const NOTHING = /(?!)/;

/**
 * @huggingface/tokenizers 0.2.0's `Precompiled` normalizer ignores `precompiled_charsmap` (it
 * runs String.normalize("NFKC") and a fixed regex). This swaps in the charsmap-driven one of
 * Hugging Face's Rust tokenizers, in place, wherever the normalizer tree holds one. Returns how
 * many were replaced. `Strip` gets Rust's `trim` (Unicode White_Space; JavaScript's also drops U+FEFF).
 */
export function usePrecompiledCharsmap(tokenizer: tokenizersJs.Tokenizer, source: string): number {
  let replaced = 0;
  const visit = (n: unknown): void => {
    if (n instanceof SequenceNormalizer) {
      for (const child of (n as NormalizerLike).normalizers ?? []) visit(child);
    } else if (n instanceof PrecompiledNormalizer) {
      const like = n as NormalizerLike;
      const b64 = like.config?.precompiled_charsmap;
      if (typeof b64 !== "string" || b64.length === 0) {
        like.normalize = (text) => text; // an empty charsmap is the identity, as in the Rust tokenizer
      } else {
        const hf = new HfPrecompiledNormalizer(
          new Uint8Array(Buffer.from(b64, "base64")),
          `${source} precompiled_charsmap`,
        );
        like.normalize = (text) => hf.normalize(text);
      }
      replaced++;
    } else if (n instanceof StripNormalizer) {
      const like = n as NormalizerLike;
      const left = like.config?.strip_left === true;
      const right = like.config?.strip_right === true;
      like.normalize = (text) => text.replace(left ? LEADING : NOTHING, "").replace(right ? TRAILING : NOTHING, "");
    }
  };
  visit((tokenizer as unknown as { normalizer: unknown }).normalizer);
  return replaced;
}
