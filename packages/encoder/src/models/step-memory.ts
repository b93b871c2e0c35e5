import type { EncoderConfig } from "../config/encoder-config.js";

/**
 * Bytes a whole-graph training step keeps for its backward (float32), from the batch's shape: per
 * layer, what the fused layer blocks save — the linears' inputs, the FFN pre-activation and output,
 * LayerNorm's normalized input — bounded by 12 hidden-sized and 4 FFN-sized tensors per token, plus
 * 4 attention-sized [heads, S, S] tensors per sequence (8 with DeBERTa's c2p/p2c terms), and the
 * embeddings and head. Fitted above measured wasm-heap growth (tools/bench/README.md, "Memory").
 */
export function estimateStepActivationBytes(config: EncoderConfig, batchSize: number, seqLength: number): number {
  const tokens = batchSize * seqLength;
  const attention = config.modelType === "deberta-v2" && config.relativeAttention ? 10 : 6;
  const perLayer =
    tokens * (16 * config.hiddenSize + 4 * config.intermediateSize) +
    attention * config.numAttentionHeads * batchSize * seqLength * seqLength;
  return 4 * (config.numHiddenLayers * perLayer + 8 * tokens * config.hiddenSize);
}
