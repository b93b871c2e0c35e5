import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSentencePieceModel } from "@aflora/encoder";
import { Tokenizer as TokenizersJs } from "@huggingface/tokenizers";
import { LlamaTokenizer } from "./llama-tokenizer.js";
import { llamaTokenizerJson } from "./sentencepiece-bpe-json.js";

export interface LoadLlamaTokenizerOptions {
  /** model_max_length when tokenizer_config.json has none (default 2048, LLaMA's context). */
  maxLength?: number;
  /** Use tokenizer.json even when tokenizer.model exists (default: tokenizer.model, as the slow LlamaTokenizer LLM-Adapters uses). */
  prefer?: "tokenizer.model" | "tokenizer.json";
}

type Json = Record<string, unknown>;

function readJson(path: string): Json | null {
  if (!existsSync(path)) return null;
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`${path}: expected a JSON object`);
  return v as Json;
}

/** A token given as a string or an AddedToken object (`{"__type": "AddedToken", "content": ...}`). */
function tokenText(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as Json)["content"] === "string") return (v as Json)["content"] as string;
  return null;
}

/**
 * Loads the LLaMA tokenizer of an HF folder: `tokenizer.model` (SentencePiece BPE, converted
 * to the equivalent tokenizer.json in memory) or `tokenizer.json`, with `tokenizer_config.json`
 * and `special_tokens_map.json` for BOS/EOS/pad and add_bos_token / add_eos_token.
 */
export function loadLlamaTokenizer(folder: string, options: LoadLlamaTokenizerOptions = {}): LlamaTokenizer {
  const spPath = join(folder, "tokenizer.model");
  const jsonPath = join(folder, "tokenizer.json");
  const useSp = existsSync(spPath) && (options.prefer !== "tokenizer.json" || !existsSync(jsonPath));
  if (!useSp && !existsSync(jsonPath)) throw new Error(`${folder}: no tokenizer.model or tokenizer.json`);
  const source = useSp ? spPath : jsonPath;
  const json = useSp
    ? (llamaTokenizerJson(parseSentencePieceModel(readFileSync(spPath), spPath), spPath) as unknown as Json)
    : readJson(jsonPath)!;
  const model = json["model"] as Json | undefined;
  if (!model || model["type"] !== "BPE")
    throw new Error(`${source}: model.type is ${JSON.stringify(model?.["type"])}; the LLaMA tokenizer is BPE`);
  if (JSON.stringify([json["pre_tokenizer"], json["decoder"]]).includes('"ByteLevel"')) {
    throw new Error(
      `${source}: a byte-level BPE tokenizer (Llama-3 style) is not supported; this loader reads SentencePiece-style LLaMA tokenizers (byte fallback)`,
    );
  }
  const config = readJson(join(folder, "tokenizer_config.json")) ?? {};
  const specialMap = readJson(join(folder, "special_tokens_map.json")) ?? {};
  const inner = new TokenizersJs(json as never, { clean_up_tokenization_spaces: false });
  const idOf = (key: string, fallback: string | null): number | null => {
    const text = tokenText(config[key]) ?? tokenText(specialMap[key]) ?? fallback;
    if (text === null) return null;
    const id = inner.token_to_id(text);
    if (id === undefined) throw new Error(`${folder}: ${key} ${JSON.stringify(text)} is not in the vocabulary`);
    return id;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = config[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "boolean")
      throw new Error(`${join(folder, "tokenizer_config.json")}: "${key}" must be true or false`);
    return v;
  };
  const added = (json["added_tokens"] as { id: number; special?: boolean; content: string }[] | undefined) ?? [];
  const unkTokenId = idOf("unk_token", typeof model["unk_token"] === "string" ? (model["unk_token"] as string) : null);
  const controlIds = new Set(added.filter((t) => t.special && t.id !== unkTokenId).map((t) => t.id));
  const maxLen = config["model_max_length"];
  return new LlamaTokenizer(inner, {
    source,
    bosTokenId: idOf("bos_token", "<s>"),
    eosTokenId: idOf("eos_token", "</s>"),
    padTokenId: idOf("pad_token", null) ?? 0,
    addBosToken: bool("add_bos_token", true),
    addEosToken: bool("add_eos_token", false),
    modelMaxLength: typeof maxLen === "number" && maxLen > 0 && maxLen < 1e9 ? maxLen : (options.maxLength ?? 2048),
    controlIds,
    unkTokenId,
  });
}
