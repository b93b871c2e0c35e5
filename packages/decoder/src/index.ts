// LLaMA: config.json, state-dict layout, the causal LM and its pieces.
export { readLlamaConfig, type LlamaConfig } from "./config/llama-config.js";
export { llamaStateDict, type LlamaTensorSpec } from "./model/state-dict.js";
export { IGNORE_INDEX, type CausalLMBatch } from "./model/causal-lm-batch.js";
export { LlamaForCausalLM, type CausalLMOutput } from "./model/llama-for-causal-lm.js";
export { buildLlama, type BuildLlamaOptions, type LlamaWeightSource } from "./model/build-llama.js";
export { KvCache } from "./model/kv-cache.js";
export { positionIdsFromMask } from "./model/position-ids.js";
export { ropeInvFreq } from "./model/rotary.js";

// Loading weights (safetensors checkpoints) and the whole model.
export { LazySafetensors } from "./load/lazy-safetensors.js";
export { openCheckpoint, type Checkpoint } from "./load/checkpoint.js";
export { loadLlama, llamaWeightBytes, readLlamaConfigFile, type LoadLlamaOptions } from "./load/load-llama.js";

// The LLaMA tokenizer (SentencePiece BPE).
export { LlamaTokenizer, type LlamaTokenizerSettings } from "./tokenizer/llama-tokenizer.js";
export { loadLlamaTokenizer, type LoadLlamaTokenizerOptions } from "./tokenizer/load-llama-tokenizer.js";
export { llamaTokenizerJson, type LlamaTokenizerJson } from "./tokenizer/sentencepiece-bpe-json.js";

// Generation.
export { greedyDecode, type GreedyOptions, type GreedyResult } from "./generate/greedy.js";
export { generate, leftPad, type GenerateOptions, type Generation } from "./generate/generate.js";

// The model plugin for core's registry.
export { loadCausalLM, type LoadCausalLMOptions, type LoadedCausalLM } from "./load/load-causal-lm.js";
export { LlamaSource, type LlamaSourceOptions } from "./plugin/llama-source.js";
export { register, llamaModel } from "./plugin/register.js";

// Parameter counts for LLaMA (the params report) and `aflora generate`.
export {
  LLAMA_7B_CONFIG,
  LLAMA_AFLORA_TARGETS,
  llamaModuleSpecs,
  llamaParamsReport,
  type LlamaParamsOptions,
  type LlamaParamsReport,
} from "./params/llama-params.js";
export { runGenerate, resolveTrainedWeights, type GenerateCommandOptions } from "./generate/generate-command.js";
