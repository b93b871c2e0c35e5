import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadLlamaTokenizer } from "@aflora/decoder";
import { describe, expect, it } from "vitest";
import { CharTokenizer } from "../../test/char-tokenizer.js";
import { collate } from "../batch/collate.js";
import { userPrompt } from "../prompt/prompt-template.js";
import { IGNORE_INDEX, tokenizeExample, tokenizePrompt, tokenizePromptAndResponse } from "./tokenize-example.js";

const FIXTURE = fileURLToPath(new URL("../../../../fixtures/hf-parity-decoder/llama-tiny-mha/", import.meta.url));

interface FixtureBatch {
  name: string;
  input_ids: number[][];
  attention_mask: number[][];
  labels: number[][];
  texts?: { prompt: string; answer: string }[];
}

describe("tokenization as finetune.py does it, against HF Transformers (hf-parity-decoder)", () => {
  const tokenizer = loadLlamaTokenizer(FIXTURE);
  const expected = JSON.parse(readFileSync(`${FIXTURE}expected.json`, "utf8")) as { batches: FixtureBatch[] };
  const [right, left] = expected.batches as [FixtureBatch, FixtureBatch];
  const rows = right.texts!.map((t) =>
    tokenizePromptAndResponse(t.prompt, t.answer, tokenizer, { cutoffLen: 256, trainOnInputs: false }),
  );

  it("prompt + answer with <s> and </s>, the prompt's tokens masked: HF's right-padded batch exactly", () => {
    const batch = collate(rows, { padTokenId: 0, paddingSide: "right", padToMultipleOf: 1 });
    expect(batch.seqLength).toBe(right.input_ids[0]!.length);
    expect([...batch.inputIds]).toEqual(right.input_ids.flat());
    expect([...batch.attentionMask]).toEqual(right.attention_mask.flat());
    expect([...batch.labels]).toEqual(right.labels.flat());
  });

  it("and the left-padded one (finetune.py's padding side)", () => {
    const batch = collate(rows, { padTokenId: 0, paddingSide: "left", padToMultipleOf: 1 });
    expect([...batch.inputIds]).toEqual(left.input_ids.flat());
    expect([...batch.attentionMask]).toEqual(left.attention_mask.flat());
    expect([...batch.labels]).toEqual(left.labels.flat());
  });

  it("an LLM-Adapters record through the template keeps the response tokens, </s> last", () => {
    const ex = { instruction: "What is 2 + 3?", input: "", output: "2 + 3 = 5\nThe answer is 5", answer: "5" };
    const t = tokenizeExample(ex, tokenizer, { cutoffLen: 256, trainOnInputs: false });
    const promptLen = tokenizer.encode(userPrompt(ex)).inputIds.length;
    expect(t.labels.slice(0, promptLen).every((l) => l === IGNORE_INDEX)).toBe(true);
    expect(t.labels.slice(promptLen)).toEqual(t.inputIds.slice(promptLen));
    expect(t.inputIds.at(-1)).toBe(tokenizer.eosTokenId);
    expect(tokenizer.decode(t.inputIds.slice(promptLen), { skipSpecialTokens: true })).toContain("The answer is 5");
  });
});

describe("cutoff_len and </s> (finetune.py `tokenize`)", () => {
  const tok = new CharTokenizer();

  it("appends </s> only when the sequence is shorter than the cutoff", () => {
    expect(tokenizePrompt("abc", tok, 5).inputIds).toEqual([1, 100, 101, 102, 2]); // 4 < 5: </s> added
    expect(tokenizePrompt("abcd", tok, 5).inputIds).toEqual([1, 100, 101, 102, 103]); // 5 tokens: none
    expect(tokenizePrompt("abcdefgh", tok, 5).inputIds).toEqual([1, 100, 101, 102, 103]); // truncated: none
    expect(tokenizePrompt("abc", tok, 5, false).inputIds).toEqual([1, 100, 101, 102]);
  });

  it("never doubles a </s> the text already ends with", () => {
    const eosAtEnd = new CharTokenizer(102); // "c" plays </s>
    expect(tokenizePrompt("abc", eosAtEnd, 10).inputIds).toEqual([1, 100, 101, 102]);
  });

  it("masks the prompt (train_on_inputs false) or trains on everything (true); a truncated prompt masks all", () => {
    const masked = tokenizePromptAndResponse("ab", "cd", tok, { cutoffLen: 10, trainOnInputs: false });
    expect(masked).toEqual({
      inputIds: [1, 100, 101, 102, 103, 2],
      attentionMask: [1, 1, 1, 1, 1, 1],
      labels: [-100, -100, -100, 102, 103, 2],
    });
    expect(tokenizePromptAndResponse("ab", "cd", tok, { cutoffLen: 10, trainOnInputs: true }).labels).toEqual([
      1, 100, 101, 102, 103, 2,
    ]);
    expect(tokenizePromptAndResponse("abcdef", "gh", tok, { cutoffLen: 4, trainOnInputs: false }).labels).toEqual([
      -100, -100, -100, -100,
    ]);
  });

  it("refuses a tokenizer without </s> and a bad cutoff, naming them", () => {
    expect(() => tokenizePrompt("a", new CharTokenizer(null), 4)).toThrow(/no eos_token_id/);
    expect(() => tokenizePromptAndResponse("a", "b", tok, { cutoffLen: 0, trainOnInputs: false })).toThrow(
      /cutoffLen: expected a positive integer, got 0/,
    );
  });
});
