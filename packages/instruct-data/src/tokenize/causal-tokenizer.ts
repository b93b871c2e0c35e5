import type { Tokenizer } from "@aflora/core";

/**
 * core's Tokenizer plus the special ids a causal LM needs (LlamaTokenizer of @aflora/decoder
 * has both). `encode` with special tokens must add `<s>` as LlamaTokenizer does (add_bos_token).
 */
export interface CausalTokenizer extends Tokenizer {
  readonly eosTokenId: number | null;
  readonly bosTokenId?: number | null;
}

export function eosIdOf(tokenizer: CausalTokenizer): number {
  const eos = tokenizer.eosTokenId;
  if (eos === null || eos === undefined || !Number.isInteger(eos)) {
    throw new Error(
      "tokenizer: no eos_token_id; finetune.py appends </s> to every training example, so the tokenizer must define one",
    );
  }
  return eos;
}
