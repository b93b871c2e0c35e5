import type { LlamaConfig } from "../config/llama-config.js";

/**
 * Bytes a whole-graph training step keeps for its backward (float32), from the batch's shape: per
 * layer at most 12 hidden-sized tensors (norm inputs, q/k/v and their rotations, context) and 4
 * intermediate-sized ones (gate, up, their product) per token plus 4 attention-sized [heads, S, S]
 * tensors per sequence; and the LM head's logits, their softmax and gradient (3 vocab-sized rows per token).
 */
export function estimateStepActivationBytes(config: LlamaConfig, batchSize: number, seqLength: number): number {
  const tokens = batchSize * seqLength;
  const perLayer =
    tokens * (12 * config.hiddenSize + 4 * config.intermediateSize) +
    4 * config.numAttentionHeads * batchSize * seqLength * seqLength;
  return 4 * (config.numHiddenLayers * perLayer + tokens * (8 * config.hiddenSize + 3 * config.vocabSize));
}
