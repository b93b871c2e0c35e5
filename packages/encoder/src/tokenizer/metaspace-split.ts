import * as tokenizersJs from "@huggingface/tokenizers";

// Exported at runtime, but the package's type declarations do not resolve under NodeNext.
const { MetaspacePreTokenizer, SequencePreTokenizer } = tokenizersJs as unknown as {
  MetaspacePreTokenizer: abstract new (...args: never[]) => unknown;
  SequencePreTokenizer: abstract new (...args: never[]) => unknown;
};

interface PreTokenizerLike {
  replacement?: string;
  tokenizers?: unknown[];
  pre_tokenize_text(text: string, options?: unknown): string[];
}

/** Rust's `split(▁, MergedWithNext)`: each ▁ starts a new word (`▁a▁▁b` → `▁a`, `▁`, `▁b`). */
export function splitMergedWithNext(text: string, delimiter: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = text.indexOf(delimiter, 1); i > 0; i = text.indexOf(delimiter, i + delimiter.length)) {
    out.push(text.slice(start, i));
    start = i;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

/**
 * @huggingface/tokenizers 0.2.0's Metaspace never splits; the Rust one does when `split` is true
 * (its default, and what DebertaV2Converter writes), so the model segments each word on its own.
 * This adds the split to every Metaspace in the pre-tokenizer tree whose JSON asks for it.
 */
export function useMetaspaceSplit(tokenizer: tokenizersJs.Tokenizer, json: Record<string, unknown> | null): void {
  const visit = (n: unknown, config: Record<string, unknown> | null | undefined): void => {
    if (!config) return;
    if (n instanceof SequencePreTokenizer) {
      const children = (n as PreTokenizerLike).tokenizers ?? [];
      const configs = (config["pretokenizers"] as Record<string, unknown>[] | undefined) ?? [];
      children.forEach((child, i) => visit(child, configs[i]));
    } else if (n instanceof MetaspacePreTokenizer && config["split"] !== false) {
      const like = n as PreTokenizerLike;
      const whole = like.pre_tokenize_text.bind(like);
      const replacement = like.replacement ?? "\u2581";
      like.pre_tokenize_text = (text, options) =>
        whole(text, options).flatMap((t) => splitMergedWithNext(t, replacement));
    }
  };
  visit((tokenizer as unknown as { pre_tokenizer: unknown }).pre_tokenizer, json);
}
