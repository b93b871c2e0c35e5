/** The encoder families aflora ports from Hugging Face Transformers. */
export type ModelType = "bert" | "roberta" | "deberta-v2";

export type ProblemType = "regression" | "single_label_classification" | "multi_label_classification";

/** Keys shared by every family, named like Transformers' attributes but in camelCase. */
export interface CommonEncoderConfig {
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  hiddenAct: string;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  initializerRange: number;
  layerNormEps: number;
  padTokenId: number;
  /** `len(id2label)` when config.json has `id2label`, else `num_labels`, else 2 (PretrainedConfig's rule). */
  numLabels: number;
  id2label: Record<number, string>;
  label2id: Record<string, number>;
  /** null: inferred from the labels at loss time, per family (see losses.ts). */
  problemType: ProblemType | null;
}

export interface BertConfig extends CommonEncoderConfig {
  modelType: "bert" | "roberta";
  /** Dropout before the classifier; null means `hiddenDropoutProb`. */
  classifierDropout: number | null;
}

export type PosAttType = "c2p" | "p2c";

export interface DebertaV2Config extends CommonEncoderConfig {
  modelType: "deberta-v2";
  relativeAttention: boolean;
  positionBiasedInput: boolean;
  maxRelativePositions: number;
  positionBuckets: number;
  /** Lower-cased parts of `norm_rel_ebd` split on `|` (e.g. ["layer_norm"] or ["none"]). */
  normRelEbd: string[];
  shareAttKey: boolean;
  posAttType: PosAttType[];
  poolerHiddenSize: number;
  poolerHiddenAct: string;
  poolerDropout: number;
  /** `cls_dropout`; null means `hiddenDropoutProb`. */
  clsDropout: number | null;
}

export type EncoderConfig = BertConfig | DebertaV2Config;

/** Transformers' `base_model_prefix` per family: the state-dict prefix of the bare encoder. */
export function basePrefix(config: Pick<EncoderConfig, "modelType">): "bert" | "roberta" | "deberta" {
  return config.modelType === "deberta-v2" ? "deberta" : config.modelType;
}

export function headSize(config: CommonEncoderConfig): number {
  return config.hiddenSize / config.numAttentionHeads;
}

/**
 * DeBERTa's attention span: the number of relative distances on each side, and half the
 * rows of `rel_embeddings`: `position_buckets` if > 0, else `max_relative_positions` if ≥ 1,
 * else `max_position_embeddings`.
 */
export function attentionSpan(config: DebertaV2Config): number {
  if (config.positionBuckets > 0) return config.positionBuckets;
  return maxRelativePositions(config);
}

/** `max_relative_positions`, with values < 1 meaning `max_position_embeddings` (as the HF encoder does). */
export function maxRelativePositions(config: DebertaV2Config): number {
  return config.maxRelativePositions >= 1 ? config.maxRelativePositions : config.maxPositionEmbeddings;
}
