import type { DebertaV2Config } from "../../config/encoder-config.js";
import { DebertaClassificationHead } from "../../heads/deberta-head.js";
import { getActivation } from "../../layers/activations.js";
import { DisentangledSelfAttention } from "../../layers/disentangled-attention.js";
import type { TransformerLayer } from "../../layers/transformer-layer.js";
import { absolutePositionIds } from "../bert/position-ids.js";
import type { EncoderParts } from "../encoder-parts.js";
import type { ModuleFactory } from "../module-factory.js";
import { DebertaV2Embeddings } from "./deberta-embeddings.js";

/** `DebertaV2ForSequenceClassification` (DeBERTa-v2 and v3). */
export function buildDebertaV2(config: DebertaV2Config, f: ModuleFactory): EncoderParts {
  const p = "deberta";
  const act = getActivation(config.hiddenAct, "hidden_act");
  const poolerAct = getActivation(config.poolerHiddenAct, "pooler_hidden_act");
  const embeddings = new DebertaV2Embeddings(
    `${p}.embeddings`,
    f.embedding(`${p}.embeddings.word_embeddings`),
    config.positionBiasedInput ? f.embedding(`${p}.embeddings.position_embeddings`) : null,
    config.typeVocabSize > 0 ? f.embedding(`${p}.embeddings.token_type_embeddings`) : null,
    f.layerNorm(`${p}.embeddings.LayerNorm`, config.layerNormEps),
    config.hiddenDropoutProb,
  );
  const rel = config.relativeAttention;
  const layers: TransformerLayer[] = [];
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const l = `${p}.encoder.layer.${i}`;
    const s = `${l}.attention.self`;
    const query = f.linear(`${s}.query_proj`);
    const key = f.linear(`${s}.key_proj`);
    const value = f.linear(`${s}.value_proj`);
    const separate = rel && !config.shareAttKey;
    const posKey = separate && config.posAttType.includes("c2p") ? f.linear(`${s}.pos_key_proj`) : null;
    const posQuery = separate && config.posAttType.includes("p2c") ? f.linear(`${s}.pos_query_proj`) : null;
    const attention = new DisentangledSelfAttention(s, query, key, value, {
      numHeads: config.numAttentionHeads,
      probsDropout: config.attentionProbsDropoutProb,
      posDropout: config.hiddenDropoutProb,
      relativeAttention: rel,
      posAttType: config.posAttType,
      posKeyProj: config.shareAttKey ? key : posKey,
      posQueryProj: config.shareAttKey ? query : posQuery,
    });
    layers.push(f.transformerLayer(l, attention, act, config));
  }
  const relativeTable = rel
    ? {
        embeddings: f.embedding(`${p}.encoder.rel_embeddings`),
        layerNorm: config.normRelEbd.includes("layer_norm")
          ? f.layerNorm(`${p}.encoder.LayerNorm`, config.layerNormEps)
          : null,
      }
    : null;
  const head = new DebertaClassificationHead(
    f.linear("pooler.dense"),
    poolerAct,
    config.poolerDropout,
    f.linear("classifier"),
    config.clsDropout ?? config.hiddenDropoutProb,
  );
  return {
    prefix: p,
    embeddings,
    layers,
    relativeTable,
    head,
    linears: f.linears,
    positionIds: (_ids, b, s) => (config.positionBiasedInput ? absolutePositionIds(b, s) : null),
  };
}
