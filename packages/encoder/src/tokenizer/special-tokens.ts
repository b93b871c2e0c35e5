/** Special-token strings from `tokenizer_config.json` / `special_tokens_map.json` (strings or AddedToken dicts). */
export interface SpecialTokens {
  unk?: string;
  sep?: string;
  pad?: string;
  cls?: string;
  mask?: string;
  bos?: string;
  eos?: string;
  additional: string[];
}

// Transformers' SPECIAL_TOKENS_ATTRIBUTES order: tokens missing from the vocab get new ids in this order.
const KEYS = ["bos", "eos", "unk", "sep", "pad", "cls", "mask"] as const;

function tokenString(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "object" && typeof (v as { content?: unknown }).content === "string")
    return (v as { content: string }).content;
  throw new Error(`${where}: expected a token string or {"content": ...}, got ${JSON.stringify(v)}`);
}

/** Later sources override earlier ones, as in Transformers (special_tokens_map.json wins over tokenizer_config.json). */
export function readSpecialTokens(
  sources: { config: Record<string, unknown>; file: string }[],
  defaults: SpecialTokens = { additional: [] },
): SpecialTokens {
  const out: SpecialTokens = { ...defaults, additional: [...defaults.additional] };
  for (const { config, file } of sources) {
    for (const k of KEYS) {
      const v = tokenString(config[`${k}_token`], `${file} "${k}_token"`);
      if (v !== undefined) out[k] = v;
    }
    const extra = config["additional_special_tokens"];
    if (Array.isArray(extra))
      out.additional = extra.map((t, i) => tokenString(t, `${file} "additional_special_tokens"[${i}]`)!);
  }
  return out;
}

export function specialTokenStrings(s: SpecialTokens): string[] {
  const all = KEYS.map((k) => s[k]).filter((t): t is string => t !== undefined);
  return [...new Set([...all, ...s.additional])];
}

/** The defaults of the Transformers tokenizer classes, used when the config files leave a token out. */
export function defaultSpecialTokens(modelType: string | undefined): SpecialTokens {
  switch (modelType) {
    case "bert":
      return { unk: "[UNK]", sep: "[SEP]", pad: "[PAD]", cls: "[CLS]", mask: "[MASK]", additional: [] };
    case "deberta-v2":
      return {
        bos: "[CLS]",
        eos: "[SEP]",
        unk: "[UNK]",
        sep: "[SEP]",
        pad: "[PAD]",
        cls: "[CLS]",
        mask: "[MASK]",
        additional: [],
      };
    case "roberta":
    case "xlm-roberta":
      return {
        bos: "<s>",
        eos: "</s>",
        unk: "<unk>",
        sep: "</s>",
        pad: "<pad>",
        cls: "<s>",
        mask: "<mask>",
        additional: [],
      };
    default:
      return { additional: [] };
  }
}
