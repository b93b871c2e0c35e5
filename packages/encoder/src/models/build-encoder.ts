import { ParameterRegistry, Rng, type ParameterGroup } from "@aflora/core";
import type { EncoderConfig } from "../config/encoder-config.js";
import { buildBert } from "./bert/build-bert.js";
import { buildDebertaV2 } from "./deberta-v2/build-deberta-v2.js";
import { defaultGroupOf, ModuleFactory, type WeightSource } from "./module-factory.js";
import { EncoderForSequenceClassification, type EncoderModelOptions } from "./sequence-classifier.js";
import { stateDictSpecs, type ParameterSpec } from "./state-dict-spec.js";

export interface BuildOptions extends EncoderModelOptions {
  /** Where the variables are registered; a new registry when omitted. */
  registry?: ParameterRegistry;
  /** Group and trainable flag per parameter name (default: `classifier.*` trainable "head", the rest frozen "base"). */
  groupOf?: (name: string) => { group: ParameterGroup; trainable: boolean };
}

/** Builds the model from a config with weights from `source` (HF layout), registering every variable. */
export function buildEncoder(
  config: EncoderConfig,
  source: WeightSource,
  options: BuildOptions = {},
): EncoderForSequenceClassification {
  const registry = options.registry ?? new ParameterRegistry();
  const specs = stateDictSpecs(config);
  const before = new Set(registry.names());
  const factory = new ModuleFactory(specs, registry, source, options.groupOf ?? defaultGroupOf);
  try {
    const parts = config.modelType === "deberta-v2" ? buildDebertaV2(config, factory) : buildBert(config, factory);
    const names = registry.names().filter((n) => !before.has(n));
    return new EncoderForSequenceClassification(config, registry, parts, names, options);
  } catch (e) {
    for (const n of registry.names()) if (!before.has(n)) registry.unregister(n);
    throw e;
  }
}

/**
 * Hugging Face's `_init_weights`: Linear and Embedding weights ~ N(0, initializer_range),
 * biases 0, embedding padding rows 0, LayerNorm weight 1 and bias 0. Each parameter draws from
 * its own stream (`rng.fork(name)`), so values do not depend on construction order.
 */
export function hfInitializer(config: EncoderConfig, rng: Rng): WeightSource {
  return (spec: ParameterSpec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    switch (spec.kind) {
      case "linear-weight":
        return rng.fork(spec.name).normalArray(size, 0, config.initializerRange);
      case "embedding": {
        const w = rng.fork(spec.name).normalArray(size, 0, config.initializerRange);
        if (spec.paddingIdx !== undefined)
          w.fill(0, spec.paddingIdx * spec.shape[1]!, (spec.paddingIdx + 1) * spec.shape[1]!);
        return w;
      }
      case "layer-norm-weight":
        return new Float32Array(size).fill(1);
      case "linear-bias":
      case "layer-norm-bias":
        return new Float32Array(size);
    }
  };
}

export interface CreateOptions extends BuildOptions {
  /** Seed of the random weights (and, unless `seed` of the dropout is set separately, of dropout). */
  seed?: number | string;
}

/** A model with random HF-style weights from a config (demos, benchmarks, tests). */
export function createEncoderFromConfig(
  config: EncoderConfig,
  options: CreateOptions = {},
): EncoderForSequenceClassification {
  const rng = new Rng(options.seed ?? 0);
  return buildEncoder(config, hfInitializer(config, rng.fork("weights")), options);
}
