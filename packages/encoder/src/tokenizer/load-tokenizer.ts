import { access, readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Tokenizer as TokenizersJs } from "@huggingface/tokenizers";
import { debertaV2TokenizerJson } from "./convert-sentencepiece.js";
import { byteLevelBpeTokenizerJson, wordPieceTokenizerJson } from "./convert-vocab-files.js";
import { HfTokenizer } from "./hf-tokenizer.js";
import { parseSentencePieceModel } from "./sentencepiece-model.js";
import {
  clsSep,
  NO_SPECIAL_TOKENS,
  roberta,
  templateFromPostProcessor,
  type SpecialTokenTemplate,
} from "./special-token-template.js";
import { defaultSpecialTokens, readSpecialTokens, type SpecialTokens } from "./special-tokens.js";
import { useRustUnigramViterbi } from "./unigram-viterbi.js";
import { usePrecompiledCharsmap } from "./hf-precompiled-patch.js";
import { useMetaspaceSplit } from "./metaspace-split.js";
import { SentencePieceProcessor } from "./sentencepiece/processor.js";
import { SentencePieceTokenizer } from "./sentencepiece-tokenizer.js";
import { checkTokenizerMode, DEFAULT_TOKENIZER_MODE, type TokenizerMode } from "./tokenizer-mode.js";
import type { TokenizerJson } from "./tokenizer-json.js";

export interface LoadTokenizerOptions {
  /** Override whether encodings carry token_type_ids (default: from config.json, see README). */
  returnTokenTypeIds?: boolean;
  /** `hf-fast` (default) or `sentencepiece` (needs the folder's spm.model); see README "Tokenizer modes". */
  mode?: TokenizerMode;
}

/** SentencePiece model files, in the order `mode: "sentencepiece"` looks for them. */
export const SENTENCEPIECE_FILES = ["spm.model", "tokenizer.model"] as const;

/** The tokenizer files aflora understands, in the order it looks for them. */
export const TOKENIZER_FILES = [
  "tokenizer.json",
  "spm.model",
  "vocab.txt",
  "vocab.json",
  "merges.txt",
  "tokenizer_config.json",
  "special_tokens_map.json",
] as const;

/** Transformers' VERY_LARGE_INTEGER: what tokenizer_config holds when a model sets no limit. */
const NO_LIMIT = 1e12;

/**
 * Loads the tokenizer of a Hugging Face model folder: `tokenizer.json` when present, otherwise
 * it converts `spm.model` (DeBERTa-v2/v3), `vocab.txt` (BERT) or `vocab.json` + `merges.txt`
 * (RoBERTa) the way Transformers' slow→fast converters do. Special tokens and
 * `model_max_length` come from `tokenizer_config.json` / `special_tokens_map.json`. `path` may
 * also name a tokenizer.json file; the config files are then read from its folder.
 */
export async function loadTokenizer(path: string, options: LoadTokenizerOptions = {}): Promise<HfTokenizer> {
  const mode = checkTokenizerMode(options.mode ?? DEFAULT_TOKENIZER_MODE);
  // A path to a tokenizer.json file (like Transformers' tokenizer_file) reads its folder's config files beside it.
  const isFile = (await stat(path).catch(() => null))?.isFile() === true;
  const folder = isFile ? dirname(path) : path;
  const tokenizerFile = isFile ? basename(path) : "tokenizer.json";
  const tokConfig = (await readJson(folder, "tokenizer_config.json")) ?? {};
  const specialMap = (await readJson(folder, "special_tokens_map.json")) ?? {};
  const modelConfig = (await readJson(folder, "config.json")) ?? {};
  const modelType = modelTypeOf(modelConfig, tokConfig) ?? (await modelTypeFromFiles(folder, tokenizerFile));
  const special = readSpecialTokens(
    [
      { config: tokConfig, file: join(folder, "tokenizer_config.json") },
      { config: specialMap, file: join(folder, "special_tokens_map.json") },
    ],
    defaultSpecialTokens(modelType),
  );
  const json = await tokenizerJson(folder, tokenizerFile, modelType, tokConfig, special);
  const source = join(folder, tokenizerFile);

  let inner: TokenizersJs;
  try {
    inner = new TokenizersJs(json, {
      ...Object.fromEntries(
        Object.entries(special)
          .filter(([, v]) => typeof v === "string")
          .map(([k, v]) => [`${k}_token`, v]),
      ),
      additional_special_tokens: special.additional,
      clean_up_tokenization_spaces: tokConfig["clean_up_tokenization_spaces"] ?? true,
    });
  } catch (e) {
    throw new Error(`${source}: cannot build the tokenizer (${(e as Error).message})`);
  }
  useRustUnigramViterbi(inner);
  usePrecompiledCharsmap(inner, source);
  useMetaspaceSplit(inner, json.pre_tokenizer);
  const idOf = (t: string | undefined) => (t === undefined ? undefined : inner.token_to_id(t));
  const template = templateFromPostProcessor(json.post_processor, source) ?? fallbackTemplate(modelType, special, idOf);
  const configPad = modelConfig["pad_token_id"];
  const padTokenId = idOf(special.pad) ?? (typeof configPad === "number" ? configPad : 0);

  const settings = {
    source,
    template,
    padTokenId,
    modelMaxLength: modelMaxLength(tokConfig, modelConfig, modelType),
    returnTokenTypeIds: options.returnTokenTypeIds ?? usesTokenTypes(modelType, modelConfig, tokConfig, template),
  };
  if (mode === "hf-fast") return new HfTokenizer(inner, settings);
  for (const name of SENTENCEPIECE_FILES) {
    const bytes = await readOptional(join(folder, name));
    if (bytes)
      return new SentencePieceTokenizer(inner, SentencePieceProcessor.fromBytes(bytes, join(folder, name)), {
        ...settings,
        source: join(folder, name),
      });
  }
  throw new Error(
    `${folder}: tokenizer.mode "sentencepiece" needs a SentencePiece model (${SENTENCEPIECE_FILES.join(" or ")}) in the folder; use "hf-fast" for this tokenizer`,
  );
}

/** The tokenizer.json model types @huggingface/tokenizers implements (WordLevel and unknown ones are refused). */
const MODEL_TYPES = ["BPE", "WordPiece", "Unigram"];

async function tokenizerJson(
  folder: string,
  tokenizerFile: string,
  modelType: string | undefined,
  tokConfig: Record<string, unknown>,
  special: SpecialTokens,
): Promise<TokenizerJson> {
  const json = await readJson(folder, tokenizerFile);
  if (json) {
    const file = join(folder, tokenizerFile);
    const model = json["model"] as Record<string, unknown> | null | undefined;
    if (typeof model !== "object" || model === null || Array.isArray(model))
      throw new Error(`${file}: no "model" object`);
    // Like the Rust tokenizers, a missing type is inferred from the model's keys; a named unknown one is an error.
    if (model["type"] !== undefined && !MODEL_TYPES.includes(model["type"] as string)) {
      throw new Error(
        `${file}: model.type ${JSON.stringify(model["type"])} is not supported (supported: ${MODEL_TYPES.join(", ")})`,
      );
    }
    return {
      normalizer: null,
      pre_tokenizer: null,
      post_processor: null,
      decoder: null,
      added_tokens: [],
      ...json,
    } as unknown as TokenizerJson;
  }
  const spm = await readOptional(join(folder, "spm.model"));
  if (spm) {
    const source = join(folder, "spm.model");
    if (modelType !== undefined && modelType !== "deberta-v2") {
      throw new Error(
        `${source}: converting a SentencePiece model is supported for DeBERTa-v2/v3 only, but config.json says model_type "${modelType}"; save a tokenizer.json with Transformers instead`,
      );
    }
    return debertaV2TokenizerJson(parseSentencePieceModel(spm, source), source, {
      doLowerCase: tokConfig["do_lower_case"] === true,
      splitByPunct: tokConfig["split_by_punct"] === true,
      special,
    });
  }
  const vocabTxt = await readOptional(join(folder, "vocab.txt"));
  if (vocabTxt) {
    if (!/\S/.test(new TextDecoder().decode(vocabTxt))) {
      throw new Error(`${join(folder, "vocab.txt")}: the vocabulary is empty (every input would become [UNK])`);
    }
    return wordPieceTokenizerJson(new TextDecoder().decode(vocabTxt), join(folder, "vocab.txt"), {
      doLowerCase: tokConfig["do_lower_case"] as boolean | undefined,
      tokenizeChineseChars: tokConfig["tokenize_chinese_chars"] as boolean | undefined,
      stripAccents: tokConfig["strip_accents"] as boolean | null | undefined,
      special,
    });
  }
  const vocabJson = await readOptional(join(folder, "vocab.json"));
  const merges = await readOptional(join(folder, "merges.txt"));
  if (vocabJson && merges) {
    return byteLevelBpeTokenizerJson(new TextDecoder().decode(vocabJson), new TextDecoder().decode(merges), folder, {
      addPrefixSpace: tokConfig["add_prefix_space"] as boolean | undefined,
      special,
    });
  }
  throw new Error(
    `${folder}: no tokenizer found; the folder needs tokenizer.json, or spm.model (DeBERTa-v2/v3), or vocab.txt (BERT), or vocab.json + merges.txt (RoBERTa), usually with tokenizer_config.json`,
  );
}

function modelTypeOf(modelConfig: Record<string, unknown>, tokConfig: Record<string, unknown>): string | undefined {
  if (typeof modelConfig["model_type"] === "string") return modelConfig["model_type"];
  const cls = tokConfig["tokenizer_class"];
  if (typeof cls !== "string") return undefined;
  if (/^DebertaV2Tokenizer/.test(cls)) return "deberta-v2";
  if (/^Roberta/.test(cls)) return "roberta";
  if (/^Bert/.test(cls)) return "bert";
  return undefined;
}

/** Without config.json: the vocabulary files say which slow tokenizer the folder was saved from. */
async function modelTypeFromFiles(folder: string, tokenizerFile: string): Promise<string | undefined> {
  if (await exists(join(folder, tokenizerFile))) return undefined;
  if (await exists(join(folder, "spm.model"))) return "deberta-v2";
  if (await exists(join(folder, "vocab.txt"))) return "bert";
  if (await exists(join(folder, "vocab.json"))) return "roberta";
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function fallbackTemplate(
  modelType: string | undefined,
  special: SpecialTokens,
  idOf: (t: string | undefined) => number | undefined,
): SpecialTokenTemplate {
  const cls = idOf(special.cls ?? (modelType === "roberta" ? "<s>" : "[CLS]"));
  const sep = idOf(special.sep ?? (modelType === "roberta" ? "</s>" : "[SEP]"));
  if (cls === undefined || sep === undefined) return NO_SPECIAL_TOKENS;
  if (modelType === "roberta" || modelType === "xlm-roberta") return roberta(cls, sep);
  if (modelType === "bert" || modelType === "deberta-v2" || modelType === "deberta") return clsSep(cls, sep);
  return NO_SPECIAL_TOKENS;
}

function modelMaxLength(
  tokConfig: Record<string, unknown>,
  modelConfig: Record<string, unknown>,
  modelType: string | undefined,
): number {
  const fromTokenizer = tokConfig["model_max_length"];
  if (typeof fromTokenizer === "number" && fromTokenizer > 0 && fromTokenizer < NO_LIMIT) return fromTokenizer;
  const positions = modelConfig["max_position_embeddings"];
  if (typeof positions === "number" && positions > 0) {
    // RoBERTa's position ids start after the padding index: 514 positions hold 512 tokens.
    if (modelType === "roberta" || modelType === "xlm-roberta")
      return positions - ((modelConfig["pad_token_id"] as number | undefined) ?? 1) - 1;
    return positions;
  }
  return 512;
}

function usesTokenTypes(
  modelType: string | undefined,
  modelConfig: Record<string, unknown>,
  tokConfig: Record<string, unknown>,
  template: SpecialTokenTemplate,
): boolean {
  if (modelType === "roberta" || modelType === "xlm-roberta") return false;
  const typeVocab = modelConfig["type_vocab_size"];
  if (typeof typeVocab === "number") return typeVocab > 0;
  if (modelType === "bert") return true; // BertConfig default type_vocab_size 2
  if (modelType === "deberta-v2" || modelType === "deberta") return false; // DebertaV2Config default 0
  const inputs = tokConfig["model_input_names"];
  if (Array.isArray(inputs)) return inputs.includes("token_type_ids");
  return template.pair.some((p) => p.typeId !== 0);
}

async function readOptional(path: string): Promise<Uint8Array | null> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(`${path}: cannot read file (${(e as Error).message})`);
  }
}

async function readJson(folder: string, name: string): Promise<Record<string, unknown> | null> {
  const path = join(folder, name);
  const bytes = await readOptional(path);
  if (!bytes) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Error(`${path}: expected a JSON object`);
  return parsed as Record<string, unknown>;
}
