import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "../../test/backend.js";
import { fixture } from "../../test/fixtures.js";
import { loadLlama } from "../load/load-llama.js";
import type { LlamaForCausalLM } from "../model/llama-for-causal-lm.js";
import { loadLlamaTokenizer } from "../tokenizer/load-llama-tokenizer.js";
import { generate, leftPad } from "./generate.js";
import { greedyDecode } from "./greedy.js";

describe("generate: batched greedy decoding with a KV cache", () => {
  useBackend("wasm");
  const folder = fixture("llama-tiny-gqa");
  const g = JSON.parse(readFileSync(join(folder, "expected.json"), "utf8")).generation;
  const tokenizer = loadLlamaTokenizer(folder);
  let model: LlamaForCausalLM;
  let before: number;
  beforeAll(async () => {
    model = await loadLlama(folder);
    before = tf.memory().numTensors;
  });
  afterAll(() => {
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("left-pads the prompts as the fixture does and gives HF's greedy tokens from text", () => {
    const rows = (g.prompts as string[]).map((p) => tokenizer.encode(p).inputIds);
    const padded = leftPad(rows, 0);
    expect(Array.from(padded.inputIds)).toEqual(g.input_ids.flat());
    expect(Array.from(padded.attentionMask)).toEqual(g.attention_mask.flat());
    const out = generate(model, tokenizer, g.prompts, { maxNewTokens: g.max_new_tokens, stopAtEos: false });
    expect(out.map((o) => o.tokens)).toEqual(g.new_tokens);
    expect(out.map((o) => o.text)).toEqual(g.new_text);
  });

  it("gives the same tokens with and without the KV cache", () => {
    const prompts = ["Q: 3 + 4 = ?\nA:", "Natalia sold 48 clips in April.", "x"];
    const cached = generate(model, tokenizer, prompts, { maxNewTokens: 12, useCache: true, stopAtEos: false });
    const uncached = generate(model, tokenizer, prompts, { maxNewTokens: 12, useCache: false, stopAtEos: false });
    expect(cached.map((o) => o.tokens)).toEqual(uncached.map((o) => o.tokens));
    expect(cached.every((o) => o.tokens.length === 12)).toBe(true);
  });

  it("stops a row at EOS and fills its later steps with the pad id while the other rows go on", () => {
    const ids = Int32Array.from(g.input_ids.flat());
    const mask = Int32Array.from(g.attention_mask.flat());
    // Row 0's third greedy token (100) plays EOS; row 1 never produces it.
    const eos = g.new_tokens[0][2];
    expect(g.new_tokens[1]).not.toContain(eos);
    const steps: number[] = [];
    const r = greedyDecode(model, ids, mask, 2, { maxNewTokens: 10, eosTokenId: eos, onStep: (s) => steps.push(s) });
    expect(r.tokens[0]).toEqual(g.new_tokens[0].slice(0, 3));
    expect(r.tokens[1]).toEqual(g.new_tokens[1]);
    // Every row finished → the loop ends early.
    const both = greedyDecode(model, ids.slice(0, 29), mask.slice(0, 29), 1, { maxNewTokens: 10, eosTokenId: eos });
    expect(both.tokens[0]).toEqual(g.new_tokens[0].slice(0, 3));
    expect(steps).toHaveLength(10);
  });

  it("stops at </s> by default and drops it from the text", () => {
    const out = generate(model, tokenizer, ["Q: Ken has 8 shells"], { maxNewTokens: 3 });
    expect(out[0]!.tokens.length).toBeLessThanOrEqual(3);
    expect(out[0]!.text).toBe(tokenizer.decode(out[0]!.tokens, { skipSpecialTokens: true }));
    expect(generate(model, tokenizer, [], { maxNewTokens: 3 })).toEqual([]);
  });

  it("rejects right-padded prompts and a bad maxNewTokens, naming the problem", () => {
    expect(() =>
      greedyDecode(model, Int32Array.from([1, 5, 0]), Int32Array.from([1, 1, 0]), 1, { maxNewTokens: 2 }),
    ).toThrow(/row 0 is not left-padded/);
    expect(() =>
      greedyDecode(model, Int32Array.from([1, 5]), Int32Array.from([1, 1]), 1, { maxNewTokens: 1.5 }),
    ).toThrow(/maxNewTokens: 1.5/);
  });
});
