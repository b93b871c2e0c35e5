// Regenerates assets/demo-encoder/tokenizer.json: a lowercase WordPiece tokenizer whose
// vocabulary is the most frequent words of the demo's SpamAssassin TRAINING split (seed 42,
// the same split the demo trains on, so no dev text shapes the vocabulary), plus every
// single character seen, so no text maps wholly to [UNK].
// Usage (after `npm run build`): node packages/cli/scripts/make-demo-tokenizer.mjs
import { writeFileSync } from "node:fs";
import { spamAssassinSplits } from "@aflora/glue-data";

const WORDS = 4000;
const SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
const { train } = spamAssassinSplits({ seed: 42 });

const counts = new Map();
const chars = new Set();
for (const r of train) {
  // BertPreTokenizer splits on whitespace and punctuation; lowercase as the normalizer does.
  for (const w of r.text
    .toLowerCase()
    .normalize("NFC")
    .match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? []) {
    counts.set(w, (counts.get(w) ?? 0) + 1);
    for (const c of w) chars.add(c);
  }
}
const words = [...counts]
  .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  .slice(0, WORDS)
  .map(([w]) => w);
const charList = [...chars].filter((c) => counts.get(c) !== undefined || /[\p{L}\p{N}]/u.test(c)).sort();
const vocab = {};
for (const t of [...SPECIAL, ...words, ...charList, ...charList.map((c) => `##${c}`)])
  if (!(t in vocab)) vocab[t] = Object.keys(vocab).length;

const added = SPECIAL.map((content, id) => ({
  id,
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
}));
const tokenizer = {
  version: "1.0",
  truncation: null,
  padding: null,
  added_tokens: added,
  normalizer: {
    type: "BertNormalizer",
    clean_text: true,
    handle_chinese_chars: true,
    strip_accents: null,
    lowercase: true,
  },
  pre_tokenizer: { type: "BertPreTokenizer" },
  post_processor: {
    type: "TemplateProcessing",
    single: [
      { SpecialToken: { id: "[CLS]", type_id: 0 } },
      { Sequence: { id: "A", type_id: 0 } },
      { SpecialToken: { id: "[SEP]", type_id: 0 } },
    ],
    pair: [
      { SpecialToken: { id: "[CLS]", type_id: 0 } },
      { Sequence: { id: "A", type_id: 0 } },
      { SpecialToken: { id: "[SEP]", type_id: 0 } },
      { Sequence: { id: "B", type_id: 1 } },
      { SpecialToken: { id: "[SEP]", type_id: 1 } },
    ],
    special_tokens: {
      "[CLS]": { id: "[CLS]", ids: [2], tokens: ["[CLS]"] },
      "[SEP]": { id: "[SEP]", ids: [3], tokens: ["[SEP]"] },
    },
  },
  decoder: { type: "WordPiece", prefix: "##", cleanup: true },
  model: {
    type: "WordPiece",
    unk_token: "[UNK]",
    continuing_subword_prefix: "##",
    max_input_chars_per_word: 100,
    vocab,
  },
};
const out = new URL("../assets/demo-encoder/tokenizer.json", import.meta.url);
writeFileSync(out, JSON.stringify(tokenizer) + "\n");
console.log(`wrote ${out.pathname}: ${Object.keys(vocab).length} tokens from ${train.length} training messages`);
