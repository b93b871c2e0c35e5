import { addedToken, type AddedTokenJson } from "./tokenizer-json.js";

/**
 * Registers special tokens the way a Transformers fast tokenizer does on load: a token already
 * in the vocab keeps its id, a missing one (DeBERTa-v3's `[MASK]`) gets the next free id.
 */
export function addSpecialTokens(
  added: AddedTokenJson[],
  lookup: (token: string) => number | undefined,
  specials: string[],
  nextId: number,
  extra: (token: string) => Partial<AddedTokenJson> = () => ({}),
): number {
  for (const token of specials) {
    const existing = added.find((a) => a.content === token);
    if (existing) {
      existing.special = true;
      existing.normalized = false;
      continue;
    }
    const id = lookup(token);
    added.push(addedToken(id ?? nextId, token, true, extra(token)));
    if (id === undefined) nextId++;
  }
  added.sort((a, b) => a.id - b.id);
  return nextId;
}
