/** A Hugging Face `LlamaConfig` with the defaults `configuration_llama.py` applies for missing keys. */
export interface LlamaConfig {
  readonly modelType: "llama";
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly numKeyValueHeads: number;
  readonly headDim: number;
  readonly rmsNormEps: number;
  readonly ropeTheta: number;
  readonly maxPositionEmbeddings: number;
  readonly tieWordEmbeddings: boolean;
  readonly padTokenId: number | null;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly initializerRange: number;
}

type Raw = Record<string, unknown>;

/**
 * Reads config.json of a `LlamaForCausalLM` folder. Anything this port would compute differently
 * from Transformers (biases, rope_scaling, another activation) is one error naming the field.
 */
export function readLlamaConfig(json: unknown, source = "config.json"): LlamaConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new Error(`${source}: expected a JSON object`);
  const raw = json as Raw;
  const fail = (key: string, msg: string): never => {
    throw new Error(`${source}: "${key}" ${msg}`);
  };
  const positive = (key: string, fallback?: number): number => {
    const v = raw[key] ?? fallback;
    if (v === undefined) return fail(key, "is missing");
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0)
      return fail(key, `must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  };
  const positiveNumber = (key: string, fallback: number): number => {
    const v = raw[key] ?? fallback;
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0)
      return fail(key, `must be a positive number, got ${JSON.stringify(v)}`);
    return v;
  };
  const tokenId = (key: string, fallback: number | null): number | null => {
    const v = key in raw ? raw[key] : fallback;
    if (v === null || v === undefined) return null;
    // Llama-3 style lists of end ids: the first is the generation stop token here.
    const id = Array.isArray(v) ? v[0] : v;
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0)
      return fail(key, `must be a token id or null, got ${JSON.stringify(v)}`);
    return id;
  };
  const modelType = raw["model_type"];
  if (modelType !== "llama")
    fail("model_type", `is ${JSON.stringify(modelType)}; @aflora/decoder loads "llama" (LlamaForCausalLM)`);
  const hiddenSize = positive("hidden_size");
  const numAttentionHeads = positive("num_attention_heads");
  const numKeyValueHeads = positive("num_key_value_heads", numAttentionHeads);
  if (hiddenSize % numAttentionHeads !== 0)
    fail("hidden_size", `${hiddenSize} is not divisible by num_attention_heads ${numAttentionHeads}`);
  if (numAttentionHeads % numKeyValueHeads !== 0) {
    fail("num_key_value_heads", `${numKeyValueHeads} does not divide num_attention_heads ${numAttentionHeads}`);
  }
  const headDim =
    raw["head_dim"] === undefined || raw["head_dim"] === null ? hiddenSize / numAttentionHeads : positive("head_dim");
  if (headDim * numAttentionHeads !== hiddenSize)
    fail("head_dim", `${headDim} × ${numAttentionHeads} heads is not hidden_size ${hiddenSize}`);
  if (headDim % 2 !== 0) fail("head_dim", `${headDim} must be even for rotary embeddings`);
  if (raw["rope_scaling"] !== undefined && raw["rope_scaling"] !== null)
    fail("rope_scaling", "is not supported (only null)");
  if (raw["attention_bias"] === true) fail("attention_bias", "true is not supported (LLaMA has no biases)");
  if (raw["mlp_bias"] === true) fail("mlp_bias", "true is not supported (LLaMA has no biases)");
  const act = raw["hidden_act"] ?? "silu";
  if (act !== "silu") fail("hidden_act", `${JSON.stringify(act)} is not supported (only "silu")`);
  const tie = raw["tie_word_embeddings"] ?? false;
  if (typeof tie !== "boolean") fail("tie_word_embeddings", `must be true or false, got ${JSON.stringify(tie)}`);
  return {
    modelType: "llama",
    vocabSize: positive("vocab_size"),
    hiddenSize,
    intermediateSize: positive("intermediate_size"),
    numHiddenLayers: positive("num_hidden_layers"),
    numAttentionHeads,
    numKeyValueHeads,
    headDim,
    rmsNormEps: positiveNumber("rms_norm_eps", 1e-6),
    ropeTheta: positiveNumber("rope_theta", 10000),
    maxPositionEmbeddings: positive("max_position_embeddings", 2048),
    tieWordEmbeddings: tie as boolean,
    padTokenId: tokenId("pad_token_id", null),
    bosTokenId: tokenId("bos_token_id", 1),
    eosTokenId: tokenId("eos_token_id", 2),
    initializerRange: positiveNumber("initializer_range", 0.02),
  };
}
