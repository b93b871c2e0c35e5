import { attentionSpan, basePrefix, type EncoderConfig } from "../config/encoder-config.js";

export type WeightKind = "linear-weight" | "linear-bias" | "embedding" | "layer-norm-weight" | "layer-norm-bias";

/** One parameter of the model as Hugging Face stores it. */
export interface ParameterSpec {
  /** State-dict name, e.g. `deberta.encoder.layer.0.attention.self.query_proj.weight`. */
  name: string;
  /** Shape in the state dict (Linear weights [out, in]). */
  shape: number[];
  kind: WeightKind;
  /** False for weights Transformers initialises when a checkpoint lacks them (classification heads, poolers). */
  required: boolean;
  /** Embedding row that gets no gradient (`padding_idx`). */
  paddingIdx?: number;
}

export interface LinearModuleSpec {
  /** Module name (state-dict prefix), e.g. `bert.encoder.layer.0.attention.self.query`. */
  name: string;
  inFeatures: number;
  outFeatures: number;
}

/** Every Linear of the model with its shape, in state-dict order, computed from the config alone. */
export function linearModuleSpecs(config: EncoderConfig): LinearModuleSpec[] {
  const out: LinearModuleSpec[] = [];
  for (const p of stateDictSpecs(config)) {
    if (p.kind === "linear-weight") {
      out.push({ name: p.name.slice(0, -".weight".length), inFeatures: p.shape[1]!, outFeatures: p.shape[0]! });
    }
  }
  return out;
}

/** Every parameter of the `*ForSequenceClassification` model, named and shaped as in a Hugging Face checkpoint. */
export function stateDictSpecs(config: EncoderConfig): ParameterSpec[] {
  const specs: ParameterSpec[] = [];
  const h = config.hiddenSize;
  const p = basePrefix(config);
  const linear = (name: string, inF: number, outF: number, required = true) => {
    specs.push({ name: `${name}.weight`, shape: [outF, inF], kind: "linear-weight", required });
    specs.push({ name: `${name}.bias`, shape: [outF], kind: "linear-bias", required });
  };
  const layerNorm = (name: string, dim: number) => {
    specs.push({ name: `${name}.weight`, shape: [dim], kind: "layer-norm-weight", required: true });
    specs.push({ name: `${name}.bias`, shape: [dim], kind: "layer-norm-bias", required: true });
  };
  const embedding = (name: string, rows: number, dim: number, paddingIdx?: number) => {
    specs.push({
      name: `${name}.weight`,
      shape: [rows, dim],
      kind: "embedding",
      required: true,
      ...(paddingIdx === undefined ? {} : { paddingIdx }),
    });
  };

  embedding(`${p}.embeddings.word_embeddings`, config.vocabSize, h, config.padTokenId);
  if (config.modelType === "deberta-v2") {
    if (config.positionBiasedInput) embedding(`${p}.embeddings.position_embeddings`, config.maxPositionEmbeddings, h);
  } else {
    embedding(
      `${p}.embeddings.position_embeddings`,
      config.maxPositionEmbeddings,
      h,
      config.modelType === "roberta" ? config.padTokenId : undefined,
    );
  }
  if (config.typeVocabSize > 0) embedding(`${p}.embeddings.token_type_embeddings`, config.typeVocabSize, h);
  layerNorm(`${p}.embeddings.LayerNorm`, h);

  for (let i = 0; i < config.numHiddenLayers; i++) {
    const l = `${p}.encoder.layer.${i}`;
    if (config.modelType === "deberta-v2") {
      linear(`${l}.attention.self.query_proj`, h, h);
      linear(`${l}.attention.self.key_proj`, h, h);
      linear(`${l}.attention.self.value_proj`, h, h);
      if (config.relativeAttention && !config.shareAttKey) {
        if (config.posAttType.includes("c2p")) linear(`${l}.attention.self.pos_key_proj`, h, h);
        if (config.posAttType.includes("p2c")) linear(`${l}.attention.self.pos_query_proj`, h, h);
      }
    } else {
      linear(`${l}.attention.self.query`, h, h);
      linear(`${l}.attention.self.key`, h, h);
      linear(`${l}.attention.self.value`, h, h);
    }
    linear(`${l}.attention.output.dense`, h, h);
    layerNorm(`${l}.attention.output.LayerNorm`, h);
    linear(`${l}.intermediate.dense`, h, config.intermediateSize);
    linear(`${l}.output.dense`, config.intermediateSize, h);
    layerNorm(`${l}.output.LayerNorm`, h);
  }

  if (config.modelType === "deberta-v2") {
    if (config.relativeAttention) {
      embedding(`${p}.encoder.rel_embeddings`, 2 * attentionSpan(config), h);
      if (config.normRelEbd.includes("layer_norm")) layerNorm(`${p}.encoder.LayerNorm`, h);
    }
    linear("pooler.dense", h, config.poolerHiddenSize, false);
    linear("classifier", config.poolerHiddenSize, config.numLabels, false);
  } else if (config.modelType === "bert") {
    linear(`${p}.pooler.dense`, h, h, false);
    linear("classifier", h, config.numLabels, false);
  } else {
    linear("classifier.dense", h, h, false);
    linear("classifier.out_proj", h, config.numLabels, false);
  }
  return specs;
}
