import { PieceType, type SentencePieceModel } from "@aflora/encoder";

/** The tokenizer.json objects this package writes and reads (the subset LLaMA uses). */
export interface LlamaTokenizerJson {
  version: "1.0";
  added_tokens: {
    id: number;
    content: string;
    single_word: boolean;
    lstrip: boolean;
    rstrip: boolean;
    normalized: boolean;
    special: boolean;
  }[];
  normalizer: unknown;
  pre_tokenizer: unknown;
  post_processor: unknown;
  decoder: unknown;
  model: {
    type: "BPE";
    dropout: null;
    unk_token: string | null;
    continuing_subword_prefix: null;
    end_of_word_suffix: null;
    fuse_unk: boolean;
    byte_fallback: boolean;
    ignore_merges: boolean;
    vocab: Record<string, number>;
    merges: [string, string][];
  };
}

/**
 * A SentencePiece BPE `tokenizer.model` as the equivalent `tokenizer.json`, the way
 * Transformers' `LlamaConverter` builds it (legacy form: `Prepend("▁")` + `Replace(" ", "▁")`
 * normalizer, no pre-tokenizer, so the dummy prefix is added even before a leading space, as
 * SentencePiece does). Merges are every split of a normal piece into two pieces, ranked by
 * the merged piece's score (highest first): SentencePiece's BPE merges the adjacent pair whose
 * concatenation scores highest, leftmost first on ties, which is how the BPE model ranks them.
 */
export function llamaTokenizerJson(model: SentencePieceModel, source: string): LlamaTokenizerJson {
  const { trainerSpec: t, normalizerSpec: n } = model;
  if (t.modelType !== 2)
    throw new Error(
      `${source}: trainer_spec.model_type is ${t.modelType}; the LLaMA tokenizer is SentencePiece BPE (2)`,
    );
  if (
    n.precompiledCharsmap.length > 0 ||
    n.removeExtraWhitespaces ||
    !n.escapeWhitespaces ||
    t.treatWhitespaceAsSuffix
  ) {
    throw new Error(
      `${source}: normalizer "${n.name}" (charsmap ${n.precompiledCharsmap.length} bytes, remove_extra_whitespaces ${n.removeExtraWhitespaces}, ` +
        `escape_whitespaces ${n.escapeWhitespaces}, treat_whitespace_as_suffix ${t.treatWhitespaceAsSuffix}) is not LLaMA's identity normalizer; not supported`,
    );
  }
  const vocab: Record<string, number> = {};
  model.pieces.forEach((p, id) => {
    if (!(p.piece in vocab)) vocab[p.piece] = id;
  });
  const ranked: { l: string; r: string; score: number; id: number }[] = [];
  model.pieces.forEach((p, id) => {
    if (p.type !== PieceType.NORMAL) return;
    const chars = Array.from(p.piece);
    for (let i = 1; i < chars.length; i++) {
      const l = chars.slice(0, i).join("");
      const r = chars.slice(i).join("");
      if (l in vocab && r in vocab) ranked.push({ l, r, score: p.score, id });
    }
  });
  ranked.sort((a, b) => b.score - a.score || a.id - b.id || vocab[a.l]! - vocab[b.l]!);
  const special = model.pieces.flatMap((p, id) =>
    p.type === PieceType.CONTROL || p.type === PieceType.UNKNOWN
      ? [{ id, content: p.piece, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }]
      : [],
  );
  const unk = model.pieces[t.unkId];
  return {
    version: "1.0",
    added_tokens: special,
    normalizer: n.addDummyPrefix
      ? {
          type: "Sequence",
          normalizers: [
            { type: "Prepend", prepend: "▁" },
            { type: "Replace", pattern: { String: " " }, content: "▁" },
          ],
        }
      : { type: "Replace", pattern: { String: " " }, content: "▁" },
    pre_tokenizer: null,
    post_processor: null,
    decoder: {
      type: "Sequence",
      decoders: [
        { type: "Replace", pattern: { String: "▁" }, content: " " },
        { type: "ByteFallback" },
        { type: "Fuse" },
        ...(n.addDummyPrefix ? [{ type: "Strip", content: " ", start: 1, stop: 0 }] : []),
      ],
    },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: unk ? unk.piece : null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: t.byteFallback,
      ignore_merges: false,
      vocab,
      merges: ranked.map((m) => [m.l, m.r]),
    },
  };
}
