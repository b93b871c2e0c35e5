import { addSpecialTokens } from "./added-vocab.js";
import { specialTokenStrings, type SpecialTokens } from "./special-tokens.js";
import { clsSepTemplate, type AddedTokenJson, type TokenizerJson } from "./tokenizer-json.js";

/** BERT's `vocab.txt` → the tokenizer.json Transformers' BertConverter writes. */
export function wordPieceTokenizerJson(
  vocabTxt: string,
  source: string,
  opts: {
    doLowerCase?: boolean;
    tokenizeChineseChars?: boolean;
    stripAccents?: boolean | null;
    special: SpecialTokens;
  },
): TokenizerJson {
  const vocab: Record<string, number> = {};
  const lines = vocabTxt.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  lines.forEach((line, i) => {
    const token = line.replace(/\r$/, "");
    if (!(token in vocab)) vocab[token] = i;
  });
  const special = { ...opts.special };
  special.unk ??= "[UNK]";
  special.cls ??= "[CLS]";
  special.sep ??= "[SEP]";
  special.pad ??= "[PAD]";
  special.mask ??= "[MASK]";
  const added: AddedTokenJson[] = [];
  addSpecialTokens(added, (t) => vocab[t], specialTokenStrings(special), lines.length);
  const idOf = (t: string) => added.find((a) => a.content === t)?.id ?? vocab[t];
  const clsId = idOf(special.cls);
  const sepId = idOf(special.sep);
  if (clsId === undefined || sepId === undefined)
    throw new Error(`${source}: the vocabulary has no ${special.cls} or ${special.sep} token`);
  return {
    version: "1.0",
    added_tokens: added,
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: opts.tokenizeChineseChars ?? true,
      strip_accents: opts.stripAccents ?? null,
      lowercase: opts.doLowerCase ?? true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    model: {
      type: "WordPiece",
      unk_token: special.unk,
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab,
    },
    post_processor: clsSepTemplate(special.cls, clsId, special.sep, sepId) as unknown as Record<string, unknown>,
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
  };
}

/** RoBERTa's `vocab.json` + `merges.txt` → the tokenizer.json Transformers' RobertaConverter writes. */
export function byteLevelBpeTokenizerJson(
  vocabJson: string,
  mergesTxt: string,
  source: string,
  opts: { addPrefixSpace?: boolean; special: SpecialTokens },
): TokenizerJson {
  let vocab: Record<string, number>;
  try {
    vocab = JSON.parse(vocabJson) as Record<string, number>;
  } catch (e) {
    throw new Error(`${source}/vocab.json: not valid JSON (${(e as Error).message})`);
  }
  const merges = mergesTxt
    .split("\n")
    .map((l) => l.replace(/\r$/, ""))
    .filter((l, i) => l.length > 0 && !(i === 0 && l.startsWith("#version")));
  merges.forEach((m, i) => {
    if (m.split(" ").length !== 2)
      throw new Error(
        `${source}/merges.txt line ${i + 2}: expected two symbols separated by one space, got ${JSON.stringify(m)}`,
      );
  });
  const special = { ...opts.special };
  special.bos ??= "<s>";
  special.eos ??= "</s>";
  special.unk ??= "<unk>";
  special.sep ??= "</s>";
  special.pad ??= "<pad>";
  special.cls ??= "<s>";
  special.mask ??= "<mask>";
  const added: AddedTokenJson[] = [];
  const size = Object.values(vocab).reduce((m, v) => Math.max(m, v + 1), 0);
  // RobertaTokenizer's mask token strips the space before it, so "a <mask>" → ["a", "<mask>"].
  addSpecialTokens(
    added,
    (t) => vocab[t],
    specialTokenStrings(special),
    size,
    (t) => (t === special.mask ? { lstrip: true } : {}),
  );
  const idOf = (t: string) => added.find((a) => a.content === t)?.id ?? vocab[t];
  const addPrefixSpace = opts.addPrefixSpace ?? false;
  return {
    version: "1.0",
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: addPrefixSpace, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: "",
      end_of_word_suffix: "",
      fuse_unk: false,
      vocab,
      merges,
    },
    post_processor: {
      type: "RobertaProcessing",
      sep: [special.sep, idOf(special.sep)],
      cls: [special.cls, idOf(special.cls)],
      trim_offsets: true,
      add_prefix_space: addPrefixSpace,
    },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
  };
}
