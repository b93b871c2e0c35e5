/** Where special tokens go around sequence A (and B), with the token type of every position. */
export type TemplatePiece = { kind: "special"; ids: number[]; typeId: number } | { kind: "A" | "B"; typeId: number };

export interface SpecialTokenTemplate {
  single: TemplatePiece[];
  pair: TemplatePiece[];
}

const special = (id: number, typeId: number): TemplatePiece => ({ kind: "special", ids: [id], typeId });
const seq = (kind: "A" | "B", typeId: number): TemplatePiece => ({ kind, typeId });

/** `[CLS] A [SEP]` / `[CLS] A [SEP] B [SEP]` with B's part typed 1 (BERT, DeBERTa). */
export function clsSep(clsId: number, sepId: number): SpecialTokenTemplate {
  return {
    single: [special(clsId, 0), seq("A", 0), special(sepId, 0)],
    pair: [special(clsId, 0), seq("A", 0), special(sepId, 0), seq("B", 1), special(sepId, 1)],
  };
}

/** `<s> A </s>` / `<s> A </s></s> B </s>`; RoBERTa has no token types, so all are 0. */
export function roberta(clsId: number, sepId: number): SpecialTokenTemplate {
  return {
    single: [special(clsId, 0), seq("A", 0), special(sepId, 0)],
    pair: [special(clsId, 0), seq("A", 0), special(sepId, 0), special(sepId, 0), seq("B", 0), special(sepId, 0)],
  };
}

export const NO_SPECIAL_TOKENS: SpecialTokenTemplate = { single: [seq("A", 0)], pair: [seq("A", 0), seq("B", 1)] };

/**
 * Reads the post-processor of a tokenizer.json (TemplateProcessing, BertProcessing,
 * RobertaProcessing, or a Sequence holding one of them). Returns null when it adds no special
 * tokens (none, or ByteLevel only), so the caller can fall back on the model type.
 */
export function templateFromPostProcessor(pp: unknown, source: string): SpecialTokenTemplate | null {
  if (pp === null || pp === undefined) return null;
  const p = pp as Record<string, unknown>;
  const fail = (msg: string): never => {
    throw new Error(`${source}: post_processor ${msg}`);
  };
  const pairOf = (v: unknown, key: string): number => {
    if (!Array.isArray(v) || v.length !== 2 || typeof v[1] !== "number")
      fail(`"${key}" should be [token, id], got ${JSON.stringify(v)}`);
    return (v as [string, number])[1];
  };
  switch (p["type"]) {
    case "TemplateProcessing": {
      const specials = (p["special_tokens"] ?? {}) as Record<string, { ids?: unknown }>;
      const parse = (items: unknown, key: string): TemplatePiece[] => {
        if (!Array.isArray(items)) return fail(`"${key}" is not a list`);
        return items.map((it: Record<string, { id: string; type_id: number }>) => {
          if (it["SpecialToken"]) {
            const { id, type_id } = it["SpecialToken"];
            const ids = specials[id]?.ids;
            if (!Array.isArray(ids) || !ids.every((x) => Number.isInteger(x)))
              fail(`"${key}" uses special token ${JSON.stringify(id)} that "special_tokens" does not define`);
            return { kind: "special", ids: ids as number[], typeId: type_id ?? 0 };
          }
          if (it["Sequence"]) {
            const { id, type_id } = it["Sequence"];
            if (id !== "A" && id !== "B") fail(`"${key}" has sequence ${JSON.stringify(id)}, expected A or B`);
            return { kind: id as "A" | "B", typeId: type_id ?? 0 };
          }
          return fail(`"${key}" has an item that is neither SpecialToken nor Sequence: ${JSON.stringify(it)}`);
        });
      };
      return { single: parse(p["single"], "single"), pair: parse(p["pair"], "pair") };
    }
    case "BertProcessing":
      return clsSep(pairOf(p["cls"], "cls"), pairOf(p["sep"], "sep"));
    case "RobertaProcessing":
      return roberta(pairOf(p["cls"], "cls"), pairOf(p["sep"], "sep"));
    case "Sequence": {
      const found = ((p["processors"] ?? []) as unknown[])
        .map((q) => templateFromPostProcessor(q, source))
        .filter((t) => t !== null);
      if (found.length > 1) fail("Sequence holds more than one special-token processor");
      return found[0] ?? null;
    }
    case "ByteLevel":
      return null;
    default:
      return fail(
        `type ${JSON.stringify(p["type"])} is not supported (TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence)`,
      );
  }
}

export function countSpecialTokens(pieces: TemplatePiece[]): number {
  return pieces.reduce((n, p) => n + (p.kind === "special" ? p.ids.length : 0), 0);
}
