import * as tokenizersJs from "@huggingface/tokenizers";

// Exported at runtime, but the package's type declarations do not resolve under NodeNext.
const { Unigram } = tokenizersJs as unknown as { Unigram: abstract new (...args: never[]) => unknown };

interface UnigramLike {
  tokens_to_ids: Map<string, number>;
  unk_token_id: number;
  tokenize(normalized: string): string[];
}

/**
 * The Rust Unigram model (what Transformers uses) fuses a run of unknown characters into one
 * unknown token; @huggingface/tokenizers 0.2.0 emits one per character. Patch the instance's
 * per-word tokenization so ids match Transformers.
 */
export function fuseUnigramUnknowns(tokenizer: tokenizersJs.Tokenizer): void {
  if (!(tokenizer.model instanceof Unigram)) return;
  const model = tokenizer.model as unknown as UnigramLike;
  const original = model.tokenize.bind(model);
  model.tokenize = (normalized: string): string[] => {
    const pieces = original(normalized);
    const out: string[] = [];
    let prevUnknown = false;
    for (const piece of pieces) {
      const unknown = !model.tokens_to_ids.has(piece);
      if (unknown && prevUnknown) out[out.length - 1] += piece;
      else out.push(piece);
      prevUnknown = unknown;
    }
    return out;
  };
}
