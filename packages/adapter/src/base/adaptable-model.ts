import type { Linear, ParameterRegistry } from "@aflora/core";

/** What an adapter needs of a model: its named Linear modules and its parameter registry. */
export interface AdaptableModel {
  /** Linear modules by Hugging Face name (e.g. `deberta.encoder.layer.0.attention.self.query_proj`), in model order. */
  linears(): Map<string, Linear>;
  readonly params: ParameterRegistry;
  /** Hugging Face `model_type` ("bert", "roberta", "deberta-v2"); picks the default target modules. */
  readonly modelType?: string;
}
