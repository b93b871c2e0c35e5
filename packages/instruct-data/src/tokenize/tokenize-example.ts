import type { InstructExample } from "../format/instruct-example.js";
import { userPrompt } from "../prompt/prompt-template.js";
import { eosIdOf, type CausalTokenizer } from "./causal-tokenizer.js";

/** HF's ignore index: label positions left out of the loss. */
export const IGNORE_INDEX = -100;

export interface TokenizeOptions {
  /** finetune.py `cutoff_len` (the authors: 256): truncation length, special tokens included. */
  cutoffLen: number;
  /** finetune.py `train_on_inputs`: false masks the prompt out of the loss (labels −100). */
  trainOnInputs: boolean;
  /** Append `</s>` (finetune.py: true for the full prompt). */
  addEosToken?: boolean;
}

/** One tokenized training example, unpadded. */
export interface TokenizedExample {
  inputIds: number[];
  attentionMask: number[];
  labels: number[];
}

/**
 * finetune.py `tokenize`: the tokenizer's ids (with `<s>`) truncated to `cutoffLen`; `</s>`
 * appended only when the last id is not already `</s>` and the sequence is shorter than
 * `cutoffLen` (so a truncated example gets none); labels = the ids.
 */
export function tokenizePrompt(
  text: string,
  tokenizer: CausalTokenizer,
  cutoffLen: number,
  addEosToken = true,
): TokenizedExample {
  const enc = tokenizer.encode(text, null, { maxLength: cutoffLen, addSpecialTokens: true });
  const inputIds = [...enc.inputIds];
  const attentionMask = [...enc.attentionMask];
  if (addEosToken) {
    const eos = eosIdOf(tokenizer);
    if (inputIds[inputIds.length - 1] !== eos && inputIds.length < cutoffLen) {
      inputIds.push(eos);
      attentionMask.push(1);
    }
  }
  return { inputIds, attentionMask, labels: [...inputIds] };
}

/**
 * finetune.py `generate_and_tokenize_prompt` for a prompt and its response: `prompt + response`
 * tokenized with `</s>`; with `trainOnInputs` false, the first `len(tokenize(prompt))` labels are
 * −100, the prompt tokenized separately without `</s>` (so the boundary is where that separate
 * tokenization ends, as in the reference; `<s>` is part of the prompt).
 */
export function tokenizePromptAndResponse(
  prompt: string,
  response: string,
  tokenizer: CausalTokenizer,
  options: TokenizeOptions,
): TokenizedExample {
  if (!Number.isInteger(options.cutoffLen) || options.cutoffLen < 1)
    throw new Error(`cutoffLen: expected a positive integer, got ${options.cutoffLen}`);
  const full = tokenizePrompt(prompt + response, tokenizer, options.cutoffLen, options.addEosToken ?? true);
  if (options.trainOnInputs) return full;
  const promptLen = tokenizePrompt(prompt, tokenizer, options.cutoffLen, false).inputIds.length;
  // The reference builds [-100]*prompt_len + labels[prompt_len:]; clamped here to the input length,
  // which it only exceeds when the prompt alone tokenizes longer than prompt + response.
  const masked = Math.min(promptLen, full.labels.length);
  return { ...full, labels: full.labels.map((id, i) => (i < masked ? IGNORE_INDEX : id)) };
}

/** One LLM-Adapters record as finetune.py tokenizes it: its training prompt, the output as the response. */
export function tokenizeExample(
  example: InstructExample,
  tokenizer: CausalTokenizer,
  options: TokenizeOptions,
): TokenizedExample {
  return tokenizePromptAndResponse(userPrompt(example), example.output ?? "", tokenizer, options);
}
