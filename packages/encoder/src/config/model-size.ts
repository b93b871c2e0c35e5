import { totalmem } from "node:os";
import type { EncoderConfig } from "./encoder-config.js";
import { stateDictSpecs } from "../models/state-dict-spec.js";

/** Parameters of a `*ForSequenceClassification` model, split by where they sit. */
export interface ModelSize {
  /** Word, position and token-type embeddings. */
  embeddings: number;
  /** All transformer layers together. */
  layers: number;
  /** Everything else: final norms, relative embeddings, pooler and classifier. */
  rest: number;
  total: number;
}

/**
 * Counts parameters from the config alone without listing every layer: the specs of a one- and
 * a two-layer model differ by exactly one layer, so a million-layer config costs nothing to size.
 */
export function modelSize(config: EncoderConfig): ModelSize {
  const count = (layers: number) => {
    let embeddings = 0;
    let total = 0;
    for (const s of stateDictSpecs({ ...config, numHiddenLayers: layers })) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      total += n;
      if (s.name.includes(".embeddings.")) embeddings += n;
    }
    return { embeddings, total };
  };
  const one = count(1);
  const perLayer = count(2).total - one.total;
  const layers = perLayer * config.numHiddenLayers;
  const rest = one.total - one.embeddings - perLayer;
  return { embeddings: one.embeddings, layers, rest, total: one.embeddings + layers + rest };
}

/** float32 weights, their gradients' worst case and activations make training need several times this. */
const BYTES_PER_PARAMETER = 4;

/**
 * Refuses a config whose float32 weights alone would not fit in `limitBytes` (default: this
 * machine's memory), naming the key that makes it large and how much it would need. Called
 * before anything is allocated, so `num_hidden_layers: 1000000` is a config error, not an OOM.
 */
export function checkModelFits(config: EncoderConfig, source: string, limitBytes = totalmem()): ModelSize {
  const size = modelSize(config);
  const bytes = size.total * BYTES_PER_PARAMETER;
  if (!(bytes <= limitBytes)) {
    const key =
      size.layers >= size.embeddings && size.layers >= size.rest
        ? `num_hidden_layers ${config.numHiddenLayers} (hidden_size ${config.hiddenSize}, ` +
          `intermediate_size ${config.intermediateSize})`
        : size.embeddings >= size.rest
          ? `vocab_size ${config.vocabSize} / max_position_embeddings ${config.maxPositionEmbeddings} ` +
            `(hidden_size ${config.hiddenSize})`
          : `hidden_size ${config.hiddenSize} / num_labels ${config.numLabels}`;
    throw new Error(
      `${source}: ${key} gives ${size.total.toExponential(3)} parameters, which need ${formatBytes(bytes)} ` +
        `as float32 weights alone; only ${formatBytes(limitBytes)} of memory is available`,
    );
  }
  return size;
}

export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(1)} ${units[i]}`;
}
