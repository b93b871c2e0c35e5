/** The subset of Hugging Face's `tokenizer.json` schema that aflora builds and reads. */
export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

export type TemplatePieceJson =
  { SpecialToken: { id: string; type_id: number } } | { Sequence: { id: "A" | "B"; type_id: number } };

export interface TemplateProcessingJson {
  type: "TemplateProcessing";
  single: TemplatePieceJson[];
  pair: TemplatePieceJson[];
  special_tokens: Record<string, { id: string; ids: number[]; tokens: string[] }>;
}

export interface TokenizerJson {
  version?: string;
  added_tokens: AddedTokenJson[];
  normalizer: Record<string, unknown> | null;
  pre_tokenizer: Record<string, unknown> | null;
  model: Record<string, unknown> & { type?: string };
  post_processor: Record<string, unknown> | null;
  decoder: Record<string, unknown> | null;
  truncation?: unknown;
  padding?: unknown;
}

export function addedToken(
  id: number,
  content: string,
  special: boolean,
  extra: Partial<AddedTokenJson> = {},
): AddedTokenJson {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: !special, special, ...extra };
}

/** `[CLS]:0 $A:0 [SEP]:0` / `[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1`, as BertConverter and DebertaV2Converter write it. */
export function clsSepTemplate(cls: string, clsId: number, sep: string, sepId: number): TemplateProcessingJson {
  const special = (id: string, type_id: number): TemplatePieceJson => ({ SpecialToken: { id, type_id } });
  const seq = (id: "A" | "B", type_id: number): TemplatePieceJson => ({ Sequence: { id, type_id } });
  return {
    type: "TemplateProcessing",
    single: [special(cls, 0), seq("A", 0), special(sep, 0)],
    pair: [special(cls, 0), seq("A", 0), special(sep, 0), seq("B", 1), special(sep, 1)],
    special_tokens: {
      [cls]: { id: cls, ids: [clsId], tokens: [cls] },
      [sep]: { id: sep, ids: [sepId], tokens: [sep] },
    },
  };
}
