// Tokenization + batching throughput of @aflora/glue-data (examples per second).
//   npx tsc -b packages/glue-data/tsconfig.lib.json packages/encoder/tsconfig.lib.json   # builds dist/
//   node tools/bench/tokenization.mjs [examples=20000]
// Uses the encoder's loadTokenizer on fixtures/tokenizers (BERT WordPiece, DeBERTa-v3 Unigram) when
// @aflora/encoder's dist exports it, and always the WhitespaceTokenizer. Inputs are GLUE-like
// sentence pairs (~25 + ~15 words, from the glue-tiny fixture vocabulary).
import { fileURLToPath } from "node:url";
import { encodeExamples, TextBatchSource } from "@aflora/glue-data";
import { WhitespaceTokenizer } from "@aflora/glue-data/testing";

const n = Number(process.argv[2] ?? 20000);
const root = fileURLToPath(new URL("../../", import.meta.url));
const words =
  "the cat sat on the mat a dog played with running cafe and the company reported higher profits this quarter while scientists found water near the pole".split(
    " ",
  );
let seed = 1;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const sentence = (len) => Array.from({ length: len }, () => words[Math.floor(rand() * words.length)]).join(" ") + ".";
const examples = Array.from({ length: n }, (_, i) => ({
  textA: sentence(15 + (i % 20)),
  textB: sentence(8 + (i % 15)),
  label: i % 3,
}));

const tokenizers = [["whitespace", new WhitespaceTokenizer(30000)]];
async function findLoadTokenizer() {
  try {
    const encoder = await import("@aflora/encoder");
    if (typeof encoder.loadTokenizer === "function") return encoder.loadTokenizer;
  } catch {
    // not built: fall through to the next loader
  }
  try {
    // the encoder's tokenizer module, built but not (yet) re-exported from its index
    return (await import(`${root}packages/encoder/dist/tokenizer/index.js`)).loadTokenizer;
  } catch {
    return undefined;
  }
}
const loadTokenizer = await findLoadTokenizer();
if (loadTokenizer) {
  for (const name of ["bert-wordpiece", "deberta-v3-unigram"])
    tokenizers.push([name, await loadTokenizer(`${root}fixtures/tokenizers/${name}`)]);
} else console.log("(@aflora/encoder's loadTokenizer is not built: whitespace tokenizer only)");

for (const [name, tokenizer] of tokenizers) {
  const t0 = performance.now();
  const data = await encodeExamples(examples, tokenizer, { maxSeqLength: 256, regression: false });
  const t1 = performance.now();
  const source = new TextBatchSource(data, { batchSize: 32, padTokenId: tokenizer.padTokenId, seed: 42 });
  let batches = 0;
  for (const _ of source.epoch(0)) batches++;
  const t2 = performance.now();
  const tokens = data.inputIds.length / data.size;
  console.log(
    `${name.padEnd(20)} tokenize ${Math.round((n / (t1 - t0)) * 1000).toLocaleString("en")} examples/s (${tokens.toFixed(1)} tokens/example)` +
      `  | shuffle+collate ${Math.round((n / (t2 - t1)) * 1000).toLocaleString("en")} examples/s (${batches} batches of 32)`,
  );
}
