import type { BertConfig } from "../../config/encoder-config.js";
import { BertClassificationHead } from "../../heads/bert-head.js";
import { RobertaClassificationHead } from "../../heads/roberta-head.js";
import { getActivation } from "../../layers/activations.js";
import { SelfAttention } from "../../layers/self-attention.js";
import type { TransformerLayer } from "../../layers/transformer-layer.js";
import type { EncoderParts } from "../encoder-parts.js";
import type { ModuleFactory } from "../module-factory.js";
import { BertEmbeddings } from "./bert-embeddings.js";
import { absolutePositionIds, robertaPositionIds } from "./position-ids.js";

/** `BertForSequenceClassification` / `RobertaForSequenceClassification`. */
export function buildBert(config: BertConfig, f: ModuleFactory): EncoderParts {
  const p = config.modelType;
  const act = getActivation(config.hiddenAct, "hidden_act");
  const embeddings = new BertEmbeddings(
    `${p}.embeddings`,
    f.embedding(`${p}.embeddings.word_embeddings`),
    f.embedding(`${p}.embeddings.position_embeddings`),
    config.typeVocabSize > 0 ? f.embedding(`${p}.embeddings.token_type_embeddings`) : null,
    f.layerNorm(`${p}.embeddings.LayerNorm`, config.layerNormEps),
    config.hiddenDropoutProb,
  );
  const layers: TransformerLayer[] = [];
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const l = `${p}.encoder.layer.${i}`;
    const attention = new SelfAttention(
      `${l}.attention.self`,
      f.linear(`${l}.attention.self.query`),
      f.linear(`${l}.attention.self.key`),
      f.linear(`${l}.attention.self.value`),
      config.numAttentionHeads,
      config.attentionProbsDropoutProb,
    );
    layers.push(f.transformerLayer(l, { apply: (h, _rel, ctx) => attention.apply(h, ctx) }, act, config));
  }
  const clsDropout = config.classifierDropout ?? config.hiddenDropoutProb;
  const head =
    p === "bert"
      ? new BertClassificationHead(f.linear("bert.pooler.dense"), f.linear("classifier"), clsDropout)
      : new RobertaClassificationHead(f.linear("classifier.dense"), f.linear("classifier.out_proj"), clsDropout);
  return {
    prefix: p,
    embeddings,
    layers,
    relativeTable: null,
    head,
    linears: f.linears,
    positionIds: (ids, b, s) =>
      p === "roberta" ? robertaPositionIds(ids, b, s, config.padTokenId) : absolutePositionIds(b, s),
  };
}
