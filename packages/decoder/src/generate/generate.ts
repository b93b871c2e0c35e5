import type { LlamaForCausalLM } from "../model/llama-for-causal-lm.js";
import type { LlamaTokenizer } from "../tokenizer/llama-tokenizer.js";
import { greedyDecode } from "./greedy.js";

export interface GenerateOptions {
  maxNewTokens: number;
  /** Default true (a KV cache); false recomputes every step. */
  useCache?: boolean;
  /** Stop a row at EOS (default true, as HF generate). */
  stopAtEos?: boolean;
}

export interface Generation {
  prompt: string;
  /** The new tokens, up to and including EOS. */
  tokens: number[];
  /** The decoded new tokens, special tokens dropped. */
  text: string;
}

/** Left-pads tokenized prompts (with `<s>`, as LlamaTokenizer encodes them) into [B, P]. */
export function leftPad(
  rows: readonly number[][],
  padId: number,
): { inputIds: Int32Array; attentionMask: Int32Array; length: number } {
  const length = Math.max(1, ...rows.map((r) => r.length));
  const inputIds = new Int32Array(rows.length * length).fill(padId);
  const attentionMask = new Int32Array(rows.length * length);
  rows.forEach((r, i) => {
    inputIds.set(r, i * length + length - r.length);
    attentionMask.fill(1, i * length + length - r.length, (i + 1) * length);
  });
  return { inputIds, attentionMask, length };
}

/** Batched greedy generation for text prompts: tokenize, left-pad, decode with a KV cache, detokenize. */
export function generate(
  model: LlamaForCausalLM,
  tokenizer: LlamaTokenizer,
  prompts: readonly string[],
  options: GenerateOptions,
): Generation[] {
  if (prompts.length === 0) return [];
  const rows = prompts.map((p) => tokenizer.encode(p).inputIds);
  rows.forEach((r, i) => {
    if (r.length === 0)
      throw new Error(`prompts[${i}]: empty after tokenization (the tokenizer adds no <s>); give some text`);
  });
  const { inputIds, attentionMask } = leftPad(rows, tokenizer.padTokenId);
  const { tokens } = greedyDecode(model, inputIds, attentionMask, prompts.length, {
    maxNewTokens: options.maxNewTokens,
    useCache: options.useCache ?? true,
    eosTokenId: options.stopAtEos === false ? null : tokenizer.eosTokenId,
    padTokenId: tokenizer.padTokenId,
  });
  return prompts.map((prompt, i) => ({
    prompt,
    tokens: tokens[i]!,
    text: tokenizer.decode(tokens[i]!, { skipSpecialTokens: true }),
  }));
}
