import { addSpecialTokens } from "./added-vocab.js";
import { PieceType, type SentencePieceModel } from "./sentencepiece-model.js";
import { specialTokenStrings, type SpecialTokens } from "./special-tokens.js";
import { addedToken, clsSepTemplate, type AddedTokenJson, type TokenizerJson } from "./tokenizer-json.js";

export interface DebertaV2ConvertOptions {
  /** tokenizer_config `do_lower_case` (DeBERTa-v3: false) */
  doLowerCase?: boolean;
  /** tokenizer_config `split_by_punct` (DeBERTa-v3: false) */
  splitByPunct?: boolean;
  special: SpecialTokens;
}

/**
 * Builds the `tokenizer.json` that Transformers' DebertaV2Converter (an SpmConverter) produces
 * from a unigram `spm.model`: Unigram model over the pieces with their scores, CONTROL and
 * USER_DEFINED pieces as added tokens (CONTROL ones and the unknown token special), normalizer [Lowercase?] Strip
 * [Precompiled] Replace(" {2,}" → " "), pre-tokenizer [Punctuation?] Metaspace("▁"),
 * post-processor `[CLS] $A [SEP] $B [SEP]`. Like the converter it ignores the spm normalizer spec's
 * whitespace flags (`tokenizer.mode: "sentencepiece"` follows them).
 */
export function debertaV2TokenizerJson(
  model: SentencePieceModel,
  source: string,
  opts: DebertaV2ConvertOptions,
): TokenizerJson {
  if (model.trainerSpec.modelType !== 1) {
    throw new Error(
      `${source}: SentencePiece model_type ${model.trainerSpec.modelType} is not unigram (1); DeBERTa-v2/v3 vocabularies are unigram`,
    );
  }
  const ids = new Map<string, number>();
  model.pieces.forEach((p, i) => {
    if (!ids.has(p.piece)) ids.set(p.piece, i);
  });
  const specials = specialTokenStrings(opts.special);
  const specialSet = new Set(specials);
  const added: AddedTokenJson[] = [];
  // As SpmConverter (Transformers 4.57): CONTROL pieces special, USER_DEFINED ones not; both matched before normalization.
  model.pieces.forEach((p, i) => {
    if (p.type === PieceType.CONTROL || p.type === PieceType.USER_DEFINED) {
      added.push(
        addedToken(i, p.piece, p.type === PieceType.CONTROL || specialSet.has(p.piece), { normalized: false }),
      );
    }
  });
  addSpecialTokens(added, (t) => ids.get(t), specials, model.pieces.length);
  // DebertaV2Tokenizer wraps its unk_token as AddedToken(normalized=True): "a [UNK]" keeps the space before it.
  const unk = added.find((a) => a.content === opts.special.unk);
  if (unk && model.pieces[unk.id]?.type === PieceType.UNKNOWN) unk.normalized = true;
  const idOf = (t: string) => added.find((a) => a.content === t)?.id ?? ids.get(t);
  const cls = opts.special.cls ?? "[CLS]";
  const sep = opts.special.sep ?? "[SEP]";
  const clsId = idOf(cls);
  const sepId = idOf(sep);
  if (clsId === undefined || sepId === undefined)
    throw new Error(`${source}: the vocabulary has no ${clsId === undefined ? cls : sep} token`);

  const { normalizerSpec: ns } = model;
  const normalizers: Record<string, unknown>[] = [];
  if (opts.doLowerCase) normalizers.push({ type: "Lowercase" });
  // DebertaV2Converter strips, collapses spaces and prepends ▁ whatever the spm normalizer spec says.
  normalizers.push({ type: "Strip", strip_left: true, strip_right: true });
  if (ns.precompiledCharsmap.length > 0) {
    normalizers.push({
      type: "Precompiled",
      precompiled_charsmap: Buffer.from(ns.precompiledCharsmap).toString("base64"),
    });
  }
  normalizers.push({ type: "Replace", pattern: { Regex: " {2,}" }, content: " " });

  const metaspace = { type: "Metaspace", replacement: "\u2581", prepend_scheme: "always", split: true };
  const preTokenizers: Record<string, unknown>[] = [];
  if (opts.splitByPunct) preTokenizers.push({ type: "Punctuation", behavior: "Isolated" });
  preTokenizers.push(metaspace);

  return {
    version: "1.0",
    added_tokens: added,
    normalizer: { type: "Sequence", normalizers },
    pre_tokenizer: { type: "Sequence", pretokenizers: preTokenizers },
    model: {
      type: "Unigram",
      unk_id: model.trainerSpec.unkId,
      vocab: model.pieces.map((p) => [p.piece, p.score]),
      byte_fallback: false,
    },
    post_processor: clsSepTemplate(cls, clsId, sep, sepId) as unknown as Record<string, unknown>,
    decoder: metaspace,
  };
}
