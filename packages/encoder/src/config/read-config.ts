import { checkModelFits } from "./model-size.js";

export { checkModelFits, modelSize, type ModelSize } from "./model-size.js";
import type {
  BertConfig,
  CommonEncoderConfig,
  DebertaV2Config,
  EncoderConfig,
  PosAttType,
  ProblemType,
} from "./encoder-config.js";

const PROBLEM_TYPES: readonly ProblemType[] = [
  "regression",
  "single_label_classification",
  "multi_label_classification",
];

/** Defaults of Transformers' BertConfig (RoBERTa overrides pad_token_id). */
const BERT_DEFAULTS = {
  vocab_size: 30522,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: "gelu",
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
};

/** Defaults of Transformers' DebertaV2Config and of the `getattr(config, key, default)` calls in its modeling file. */
const DEBERTA_V2_DEFAULTS = {
  vocab_size: 128100,
  hidden_size: 1536,
  num_hidden_layers: 24,
  num_attention_heads: 24,
  intermediate_size: 6144,
  hidden_act: "gelu",
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 0,
  initializer_range: 0.02,
  layer_norm_eps: 1e-7,
  pad_token_id: 0,
  relative_attention: false,
  max_relative_positions: -1,
  position_biased_input: true,
  position_buckets: -1,
  norm_rel_ebd: "none",
  share_att_key: false,
  pooler_dropout: 0,
  pooler_hidden_act: "gelu",
};

/**
 * Reads a Hugging Face `config.json` object the way Transformers does (defaults for missing
 * keys, `id2label` deciding `num_labels`, `pos_att_type` as list or `"p2c|c2p"`). Unsupported
 * features are refused with an error naming `source` and the key. `warn` receives notes
 * Transformers would log (e.g. `num_labels` disagreeing with `id2label`). Impossible values
 * (`layer_norm_eps` ≤ 0, a dropout outside [0, 1)) and a model too large for `options.memoryLimitBytes`
 * (default: this machine's memory) are errors naming the key.
 */
export function readEncoderConfig(
  json: unknown,
  source = "config.json",
  warn: (msg: string) => void = () => undefined,
  options: { memoryLimitBytes?: number } = {},
): EncoderConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new Error(`${source}: expected a JSON object`);
  const raw = json as Record<string, unknown>;
  const modelType = raw["model_type"];
  const r = new Reader(raw, source);
  if (modelType === "bert" || modelType === "roberta") {
    const defaults = { ...BERT_DEFAULTS, pad_token_id: modelType === "roberta" ? 1 : 0 };
    const pet = r.str("position_embedding_type", "absolute");
    if (pet !== "absolute") {
      throw new Error(`${source}: position_embedding_type "${pet}" is not supported (only "absolute")`);
    }
    const cfg: BertConfig = {
      modelType,
      ...common(r, defaults, warn),
      classifierDropout: r.numOrNull("classifier_dropout", null),
    };
    return validate(cfg, source, options.memoryLimitBytes);
  }
  if (modelType === "deberta-v2") {
    const d = DEBERTA_V2_DEFAULTS;
    const c = common(r, d, warn);
    const conv = r.num("conv_kernel_size", 0);
    if (conv > 0) throw new Error(`${source}: conv_kernel_size ${conv} (DeBERTa's nGiE convolution) is not supported`);
    const embeddingSize = r.num("embedding_size", c.hiddenSize);
    if (embeddingSize !== c.hiddenSize) {
      throw new Error(
        `${source}: embedding_size ${embeddingSize} ≠ hidden_size ${c.hiddenSize} (embed_proj) is not supported`,
      );
    }
    const headSizeKey = r.num("attention_head_size", c.hiddenSize / c.numAttentionHeads);
    if (headSizeKey * c.numAttentionHeads !== c.hiddenSize) {
      throw new Error(
        `${source}: attention_head_size ${headSizeKey} × num_attention_heads ${c.numAttentionHeads} ≠ hidden_size ${c.hiddenSize} is not supported`,
      );
    }
    const cfg: DebertaV2Config = {
      modelType,
      ...c,
      relativeAttention: r.bool("relative_attention", d.relative_attention),
      positionBiasedInput: r.bool("position_biased_input", d.position_biased_input),
      maxRelativePositions: r.int("max_relative_positions", d.max_relative_positions),
      positionBuckets: r.int("position_buckets", d.position_buckets),
      normRelEbd: r
        .str("norm_rel_ebd", d.norm_rel_ebd)
        .toLowerCase()
        .split("|")
        .map((s) => s.trim()),
      shareAttKey: r.bool("share_att_key", d.share_att_key),
      posAttType: posAttType(raw["pos_att_type"], source),
      poolerHiddenSize: r.int("pooler_hidden_size", c.hiddenSize),
      poolerHiddenAct: r.str("pooler_hidden_act", d.pooler_hidden_act),
      poolerDropout: r.num("pooler_dropout", d.pooler_dropout),
      clsDropout: r.numOrNull("cls_dropout", null),
    };
    return validate(cfg, source, options.memoryLimitBytes);
  }
  const known = '"bert", "roberta", "deberta-v2"';
  if (modelType === undefined) throw new Error(`${source}: no "model_type" key (supported: ${known})`);
  throw new Error(`${source}: model_type ${JSON.stringify(modelType)} is not supported (supported: ${known})`);
}

function common(r: Reader, d: typeof BERT_DEFAULTS, warn: (msg: string) => void): CommonEncoderConfig {
  const { numLabels, id2label, label2id } = labels(r, warn);
  const pt = r.raw["problem_type"];
  if (pt !== undefined && pt !== null && !PROBLEM_TYPES.includes(pt as ProblemType)) {
    throw new Error(
      `${r.source}: problem_type ${JSON.stringify(pt)} is not one of ${PROBLEM_TYPES.map((p) => `"${p}"`).join(", ")}`,
    );
  }
  return {
    vocabSize: r.int("vocab_size", d.vocab_size),
    hiddenSize: r.int("hidden_size", d.hidden_size),
    numHiddenLayers: r.int("num_hidden_layers", d.num_hidden_layers),
    numAttentionHeads: r.int("num_attention_heads", d.num_attention_heads),
    intermediateSize: r.int("intermediate_size", d.intermediate_size),
    hiddenAct: r.str("hidden_act", d.hidden_act),
    hiddenDropoutProb: r.num("hidden_dropout_prob", d.hidden_dropout_prob),
    attentionProbsDropoutProb: r.num("attention_probs_dropout_prob", d.attention_probs_dropout_prob),
    maxPositionEmbeddings: r.int("max_position_embeddings", d.max_position_embeddings),
    typeVocabSize: r.int("type_vocab_size", d.type_vocab_size),
    initializerRange: r.num("initializer_range", d.initializer_range),
    layerNormEps: r.num("layer_norm_eps", d.layer_norm_eps),
    padTokenId: r.int("pad_token_id", d.pad_token_id),
    numLabels,
    id2label,
    label2id,
    problemType: (pt ?? null) as ProblemType | null,
  };
}

/** PretrainedConfig: `id2label` wins over `num_labels` (with a warning when they disagree); default 2 labels. */
function labels(
  r: Reader,
  warn: (msg: string) => void,
): Pick<CommonEncoderConfig, "numLabels" | "id2label" | "label2id"> {
  const rawId2label = r.raw["id2label"];
  const rawNum = r.raw["num_labels"];
  if (rawNum !== undefined && rawNum !== null && !(Number.isInteger(rawNum) && (rawNum as number) >= 1)) {
    throw new Error(`${r.source}: num_labels ${JSON.stringify(rawNum)} is not a positive integer`);
  }
  if (typeof rawNum === "number" && rawNum > MAX_LABELS) {
    throw new Error(`${r.source}: num_labels ${rawNum} is more than the ${MAX_LABELS} classes aflora supports`);
  }
  let id2label: Record<number, string>;
  if (rawId2label !== undefined && rawId2label !== null) {
    if (typeof rawId2label !== "object" || Array.isArray(rawId2label))
      throw new Error(`${r.source}: id2label is not an object`);
    id2label = {};
    for (const [k, v] of Object.entries(rawId2label as Record<string, unknown>)) {
      const id = Number(k);
      if (!Number.isInteger(id) || id < 0)
        throw new Error(`${r.source}: id2label key ${JSON.stringify(k)} is not a non-negative integer`);
      id2label[id] = String(v);
    }
    const n = Object.keys(id2label).length;
    if (n === 0) throw new Error(`${r.source}: id2label is empty`);
    if (typeof rawNum === "number" && rawNum !== n) {
      warn(`${r.source}: num_labels ${rawNum} disagrees with id2label (${n} labels); using ${n}, as Transformers does`);
    }
  } else {
    const n = typeof rawNum === "number" ? rawNum : 2;
    id2label = {};
    for (let i = 0; i < n; i++) id2label[i] = `LABEL_${i}`;
  }
  const numLabels = Object.keys(id2label).length;
  for (let i = 0; i < numLabels; i++) {
    if (!(i in id2label)) throw new Error(`${r.source}: id2label has ${numLabels} labels but no id ${i}`);
  }
  const rawLabel2id = r.raw["label2id"];
  let label2id: Record<string, number>;
  if (rawLabel2id && typeof rawLabel2id === "object" && !Array.isArray(rawLabel2id)) {
    label2id = Object.fromEntries(
      Object.entries(rawLabel2id as Record<string, unknown>).map(([k, v]) => [k, Number(v)]),
    );
  } else {
    label2id = Object.fromEntries(Object.entries(id2label).map(([k, v]) => [v, Number(k)]));
  }
  return { numLabels, id2label, label2id };
}

function posAttType(v: unknown, source: string): PosAttType[] {
  if (v === undefined || v === null) return [];
  const parts =
    typeof v === "string"
      ? v
          .toLowerCase()
          .split("|")
          .map((s) => s.trim())
      : Array.isArray(v)
        ? v
        : null;
  if (!parts) throw new Error(`${source}: pos_att_type ${JSON.stringify(v)} is neither a list nor a "p2c|c2p" string`);
  const out: PosAttType[] = [];
  for (const p of parts) {
    if (p === "c2p" || p === "p2c") {
      if (!out.includes(p)) out.push(p);
    } else if (p !== "" && p !== "none") {
      throw new Error(`${source}: pos_att_type entry ${JSON.stringify(p)} is not supported (known: "c2p", "p2c")`);
    }
  }
  return out;
}

/** Upper bound on classes: id2label is built eagerly, so a hostile num_labels must not allocate first. */
const MAX_LABELS = 1_000_000;

function validate<T extends EncoderConfig>(cfg: T, source: string, memoryLimitBytes?: number): T {
  const positive: (keyof CommonEncoderConfig)[] = [
    "vocabSize",
    "hiddenSize",
    "numHiddenLayers",
    "numAttentionHeads",
    "intermediateSize",
    "maxPositionEmbeddings",
  ];
  for (const k of positive) {
    if (!((cfg[k] as number) > 0)) throw new Error(`${source}: ${snake(k)} must be positive, got ${cfg[k] as number}`);
  }
  if (cfg.hiddenSize % cfg.numAttentionHeads !== 0) {
    throw new Error(
      `${source}: hidden_size ${cfg.hiddenSize} is not a multiple of num_attention_heads ${cfg.numAttentionHeads}`,
    );
  }
  if (cfg.typeVocabSize < 0) throw new Error(`${source}: type_vocab_size must be ≥ 0, got ${cfg.typeVocabSize}`);
  if (cfg.padTokenId < 0 || cfg.padTokenId >= cfg.vocabSize) {
    throw new Error(
      `${source}: pad_token_id ${cfg.padTokenId} is outside the vocabulary (vocab_size ${cfg.vocabSize})`,
    );
  }
  if (!(cfg.layerNormEps > 0)) throw new Error(`${source}: layer_norm_eps must be > 0, got ${cfg.layerNormEps}`);
  if (!(cfg.initializerRange >= 0))
    throw new Error(`${source}: initializer_range must be ≥ 0, got ${cfg.initializerRange}`);
  const dropouts: [string, number | null][] = [
    ["hidden_dropout_prob", cfg.hiddenDropoutProb],
    ["attention_probs_dropout_prob", cfg.attentionProbsDropoutProb],
    ...(cfg.modelType === "deberta-v2"
      ? ([
          ["pooler_dropout", cfg.poolerDropout],
          ["cls_dropout", cfg.clsDropout],
        ] as [string, number | null][])
      : ([["classifier_dropout", cfg.classifierDropout]] as [string, number | null][])),
  ];
  for (const [key, p] of dropouts) {
    if (p !== null && !(p >= 0 && p < 1))
      throw new Error(`${source}: ${key} must be a probability in [0, 1), got ${p}`);
  }
  checkModelFits(cfg, source, memoryLimitBytes);
  return cfg;
}

function snake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Typed access to config keys with defaults; a present key of the wrong type is an error naming it. */
class Reader {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly source: string,
  ) {}

  private get(key: string): unknown {
    const v = this.raw[key];
    return v === null ? undefined : v;
  }

  num(key: string, d: number): number {
    const v = this.get(key);
    if (v === undefined) return d;
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new Error(`${this.source}: ${key} ${JSON.stringify(v)} is not a number`);
    return v;
  }

  int(key: string, d: number): number {
    const v = this.num(key, d);
    if (!Number.isInteger(v)) throw new Error(`${this.source}: ${key} ${v} is not an integer`);
    return v;
  }

  numOrNull(key: string, d: number | null): number | null {
    const v = this.get(key);
    return v === undefined ? d : this.num(key, 0);
  }

  str(key: string, d: string): string {
    const v = this.get(key);
    if (v === undefined) return d;
    if (typeof v !== "string") throw new Error(`${this.source}: ${key} ${JSON.stringify(v)} is not a string`);
    return v;
  }

  bool(key: string, d: boolean): boolean {
    const v = this.get(key);
    if (v === undefined) return d;
    if (typeof v !== "boolean") throw new Error(`${this.source}: ${key} ${JSON.stringify(v)} is not true or false`);
    return v;
  }
}
